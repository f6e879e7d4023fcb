test_that("configure stops with one clear message when LibTorch is absent", {
  src <- package_source_dir()
  skip_if(is.null(src), "package sources (configure) not available")
  skip_on_cran()
  tmp <- tempfile("grntorch-src-")
  dir.create(tmp)
  on.exit(unlink(tmp, recursive = TRUE), add = TRUE)
  file.copy(file.path(src, "configure"), tmp)
  dir.create(file.path(tmp, "src"))
  file.copy(file.path(src, "src", "Makevars.in"), file.path(tmp, "src"))
  empty <- file.path(tmp, "empty-libtorch")
  dir.create(empty)
  run <- function(env, args = character()) {
    out <- suppressWarnings(system2("sh", c("./configure", args), stdout = TRUE, stderr = TRUE,
                                    env = c(env, paste0("R_HOME=", R.home()))))
    list(status = attr(out, "status") %||% 0L, out = paste(out, collapse = "\n"))
  }
  `%||%` <- function(a, b) if (is.null(a)) b else a
  old <- setwd(tmp)
  on.exit(setwd(old), add = TRUE)

  r <- run(c(paste0("LIBTORCH_HOME=", empty), "GRNTORCH_SKIP_SYSTEM_TORCH=1"))
  expect_false(r$status == 0)
  expect_match(r$out, "configure: error: no LibTorch headers under LIBTORCH_HOME")
  expect_match(r$out, "apt-get install libtorch-dev")
  expect_false(file.exists(file.path(tmp, "src", "Makevars")))

  r2 <- run("GRNTORCH_SKIP_SYSTEM_TORCH=1")
  expect_false(r2$status == 0)
  expect_match(r2$out, "no LibTorch given")

  # headers present but broken: the compiler's error is shown
  dir.create(file.path(empty, "include", "torch"), recursive = TRUE)
  r3 <- run(character(), paste0("--with-libtorch=", empty))
  expect_false(r3$status == 0)
  expect_match(r3$out, "the compiler said")
  expect_match(r3$out, "could not compile and link")
})
