# read_beeline(): a tiny folder written here, then every real folder in ../shared/data.

write_toy_beeline <- function(d, label = data.frame(TF = c(0, 1), Target = c(2, 3)),
                              net = data.frame(Gene1 = c("A", "B"), Gene2 = c("C", "D")), split = TRUE) {
  dir.create(d, recursive = TRUE, showWarnings = FALSE)
  genes <- c("A", "B", "C", "D")
  x <- matrix(c(1:12) / 10, 4, dimnames = list(genes, paste0("c", 1:3)))
  write.csv(x, file.path(d, "BL--ExpressionData.csv"))
  write.csv(data.frame(Gene = genes, index = 0:3), file.path(d, "Target.csv"))
  write.csv(data.frame(TF = c("A", "B"), index = 0:1), file.path(d, "TF.csv"))
  write.csv(label, file.path(d, "Label.csv"))
  write.csv(net, file.path(d, "BL--network.csv"), row.names = FALSE)
  if (split) {
    s <- file.path(d, "splits", "s1")
    dir.create(s, recursive = TRUE, showWarnings = FALSE)
    write.csv(data.frame(TF = c(0, 0), Target = c(2, 3), Label = c(1, 0)), file.path(s, "Train_set.csv"))
    write.csv(data.frame(TF = 1, Target = 3, Label = 1), file.path(s, "Test_set.csv"))
  }
  invisible(d)
}

test_that("a toy folder is read by gene name", {
  d <- write_toy_beeline(file.path(tempfile(), "toy-tfs500"))
  b <- read_beeline(d)
  expect_equal(dim(b$expression), c(4L, 3L))
  expect_equal(rownames(b$expression), c("A", "B", "C", "D"))
  expect_equal(b$expression["B", "c2"], 0.6)
  expect_equal(b$tfs, c("A", "B"))
  expect_equal(b$truth, data.frame(from = c("A", "B"), to = c("C", "D")))
  expect_equal(names(b$splits), "s1")
  expect_equal(b$splits$s1$train, data.frame(from = c("A", "A"), to = c("C", "D"), label = c(1L, 0L)))
  expect_equal(b$splits$s1$test$to, "D")
  expect_equal(b$dataset, "toy")
  expect_null(read_beeline(d, expression = FALSE)$expression)
})

test_that("inconsistent folders fail naming the file and line", {
  d <- write_toy_beeline(tempfile(), label = data.frame(TF = c(0, 7), Target = c(2, 3)))
  expect_error(read_beeline(d), "Label.csv, line 3.*TF", class = "grntorch_error")
  d <- write_toy_beeline(tempfile(), net = data.frame(Gene1 = c("A", "B"), Gene2 = c("C", "C")))
  expect_error(read_beeline(d), "BL--network.csv.*same edges")
  d <- write_toy_beeline(tempfile())
  write.csv(data.frame(TF = c("A", "C"), index = 0:1), file.path(d, "TF.csv"))
  expect_error(read_beeline(d), "TF.csv, line 3.*\"C\"")
  d <- write_toy_beeline(tempfile())
  write.csv(data.frame(TF = 0, Target = 1, Label = 2), file.path(d, "splits", "s1", "Test_set.csv"))
  expect_error(read_beeline(d), "Test_set.csv, line 2.*Label")
  d <- write_toy_beeline(tempfile())
  x <- matrix(1, 4, 2, dimnames = list(c("A", "C", "B", "D"), c("x", "y")))
  write.csv(x, file.path(d, "BL--ExpressionData.csv"))
  expect_error(read_beeline(d), "BL--ExpressionData.csv, line 3.*Target.csv")
  expect_error(read_beeline(file.path(tempdir(), "no-such-folder")), "`dir`")
})

manifest_counts <- function(data_dir) {
  lines <- readLines(file.path(data_dir, "MANIFEST.md"))
  rows <- grep("^\\| (specific|non-specific|string|lofgof)/", lines, value = TRUE)
  cells <- strsplit(rows, "\\|")
  data.frame(folder = trimws(vapply(cells, `[`, "", 2)),
             tf_rows = as.integer(vapply(cells, `[`, "", 4)),
             edges = as.integer(vapply(cells, `[`, "", 5)),
             regs_targets = trimws(vapply(cells, `[`, "", 6)),
             splits = trimws(vapply(cells, `[`, "", 8)), stringsAsFactors = FALSE)
}

test_that("every shared BEELINE folder gives the edge counts of MANIFEST.md", {
  skip_if_no_shared_data()
  dd <- shared_data_dir()
  man <- manifest_counts(dd)
  expect_equal(nrow(man), 13L)
  for (i in seq_len(nrow(man))) {
    b <- read_beeline(file.path(dd, "beeline", man$folder[i]), expression = FALSE)
    expect_equal(nrow(b$truth), man$edges[i], info = man$folder[i])
    expect_equal(length(b$tfs), man$tf_rows[i], info = man$folder[i])
    expect_equal(sprintf("%d / %d", length(unique(b$truth$from)), length(unique(b$truth$to))), man$regs_targets[i],
                 info = man$folder[i])
    if (length(b$splits)) {
      s <- b$splits[["bridge-grn-sample1"]]
      got <- paste(vapply(s[c("train", "validation", "test")], function(p) sprintf("%d+/%d-", sum(p$label == 1), sum(p$label == 0)), ""),
                   collapse = " / ")
      expect_true(grepl(paste0("bridge-grn-sample1: ", got), man$splits[i], fixed = TRUE), info = man$folder[i])
      tr <- paste(b$truth$from, b$truth$to)
      expect_true(all(paste(s$test$from, s$test$to)[s$test$label == 1] %in% tr))
      expect_false(any(paste(s$test$from, s$test$to)[s$test$label == 0] %in% tr))
    }
  }
})

test_that("the real expression matrix is read by gene name and matches the bundled example", {
  skip_if_no_shared_data()
  b <- read_beeline(file.path(shared_data_dir(), "beeline", "lofgof", "mESC-tfs500"))
  ex <- grntorch_example()
  expect_equal(dim(b$expression), c(1120L, 421L))
  expect_equal(b$kind, "lofgof")
  # lofgof rows follow their own Target.csv order; by name they equal the specific matrix.
  # (the bundled copy is rounded to 4 decimals to stay small)
  expect_identical(dimnames(b$expression[rownames(ex$expression), ]), dimnames(ex$expression))
  expect_lt(max(abs(b$expression[rownames(ex$expression), ] - ex$expression)), 5.1e-5)
})
