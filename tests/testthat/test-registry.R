# One place per model (issue 32): the registry, the hooks, one seed
# convention, and every compiled call through the condition funnel.

test_that("every named model resolves, has fitting code, a label and a planner", {
  tab <- grntorch:::.grn_method_table()
  ex <- grntorch_example()
  need_emb <- c(scregnet = TRUE, sctransnet = TRUE, infosem = TRUE)
  for (key in names(tab)) {
    m <- if (key %in% names(need_emb)) grntorch:::.resolve_method(key, embeddings = ex$embeddings)
         else grntorch:::.resolve_method(key)
    expect_s3_class(m, "grn_method")
    cls <- class(m)[1]
    expect_true(any(vapply(class(m), function(k) !is.null(utils::getS3method(".fit_method", k, optional = TRUE,
                                                                              envir = asNamespace("grntorch"))), NA)),
                info = key)
    lab <- grntorch:::.method_label(m)
    expect_true(is.character(lab) && nzchar(lab), info = key)
    if (key != "degree") {   # the degree baseline has no model term beyond the output
      expect_true(any(vapply(class(m), function(k) !is.null(utils::getS3method(".plan_method", k, optional = TRUE,
                                                                                envir = asNamespace("grntorch"))), NA)),
                  info = key)
    }
  }
  # display names come from the model objects (no side table)
  expect_identical(grntorch:::.method_label(deepsem(seed = 1)), "DeepSEM")
  expect_identical(grntorch:::.method_label(infosem(ex$embeddings, seed = 1)), "InfoSEM-B")
  expect_identical(grntorch:::.method_label(infosem(ex$embeddings, prior_edges = ex$split$train, seed = 1)), "InfoSEM-BC")
  expect_identical(grntorch:::.method_label(genelink()), "GENELink")
  r <- grn_resources(ex$expression[1:50, ], "spearman", tfs = ex$tfs)
  expect_identical(r$model, "Spearman")
})

test_that("the hooks say which labelled pairs a model reads", {
  ex <- grntorch_example()
  expect_identical(grntorch:::.pairs_used(genelink()), c("train", "validation"))
  expect_identical(grntorch:::.pairs_used(deepsem(seed = 1)), character())
  expect_identical(grntorch:::.pairs_used(correlation_method()), character())
  expect_identical(grntorch:::.pairs_used(infosem(ex$embeddings, seed = 1)), character())
  expect_identical(grntorch:::.pairs_used(infosem(ex$embeddings, prior_edges = "train", seed = 1)), "train")
  expect_identical(grntorch:::.pairs_used(infosem(ex$embeddings, tune = TRUE, seed = 1)), "train")
  expect_match(grntorch:::.pairs_hint(infosem(ex$embeddings, seed = 1)), "prior_edges")
  expect_identical(grntorch:::.pairs_hint(deepsem(seed = 1)), "")
  # a model defined outside the package gets the defaults
  toy <- new_grn_method("toy", list(a = 1), subclass = "grn_toy", supervised = TRUE, label = "Toy")
  expect_identical(grntorch:::.pairs_used(toy), c("train", "validation"))
  expect_identical(grntorch:::.method_label(toy), "Toy")
  tr <- data.frame(from = c("a", "b"), to = c("c", "d"), label = c(1L, 0L))
  expect_identical(grntorch:::.known_pairs(toy, list(train = tr)), tr[1, c("from", "to")])
  expect_error(new_grn_method("toy", label = NA_character_), class = "grntorch_argument_error")
})

test_that("one seed convention: NULL draws from R's stream, else a whole number in [0, 2^31 - 1]", {
  ex <- grntorch_example()
  ctors <- list(deepsem = function(s) deepsem(seed = s), genelink = function(s) genelink(seed = s),
                scunigp = function(s) scunigp(seed = s), random = function(s) random_baseline(seed = s),
                onehot = function(s) onehot_lr(seed = s), matcomp = function(s) matcomp(seed = s),
                simulate = function(s) simulate_grn(n_genes = 20, n_cells = 5, seed = s))
  for (nm in names(ctors)) {
    for (bad in list(-1, 1.5, 2^31, NA, "1", c(1, 2))) {
      e <- tryCatch(ctors[[nm]](bad), grntorch_argument_error = function(e) e)
      expect_s3_class(e, "grntorch_argument_error")
      expect_identical(e$arg, "seed", info = paste(nm, format(bad)))
    }
  }
  expect_identical(deepsem(seed = 2147483647)$params$seed, 2147483647L)
  # NULL: drawn from R's random stream, so set.seed() repeats it
  set.seed(3); a <- deepsem(seed = NULL)$params$seed
  set.seed(3); b <- genelink(seed = NULL)$params$seed
  expect_identical(a, b)
  expect_true(a >= 0 && a <= .Machine$integer.max)
  # an ensemble's runs: seed, seed + 1, ... without integer overflow
  expect_identical(grntorch:::.run_seeds(.Machine$integer.max, 2L), c(2147483647, 2147483648))
})

test_that("every call into the compiled code goes through .engine_call()", {
  ns <- asNamespace("grntorch")
  compiled <- grep("^\\.grn_", ls(ns, all.names = TRUE), value = TRUE)
  compiled <- compiled[vapply(compiled, function(f) {
    b <- deparse(body(get(f, envir = ns)))
    any(grepl(".Call(", b, fixed = TRUE))
  }, NA)]
  expect_true(length(compiled) >= 10)
  funnel <- c(".engine_call", ".engine_resignal")   # .grn_error_arg() is read by the funnel itself
  # walk every function of the namespace: a call to a compiled wrapper must sit inside .engine_call()
  offenders <- character()
  walk <- function(e, inside, where) {
    if (is.call(e)) {
      fn <- if (is.name(e[[1]])) as.character(e[[1]]) else ""
      if (fn %in% compiled && !inside && !where %in% funnel) offenders <<- c(offenders, paste(where, fn))
      now <- inside || identical(fn, ".engine_call")
      for (a in as.list(e)[-1]) if (!missing(a)) walk(a, now, where)
    } else if (is.function(e)) {
      walk(body(e), inside, where)
    }
  }
  for (f in setdiff(ls(ns, all.names = TRUE), compiled)) {
    obj <- get(f, envir = ns)
    if (is.function(obj) && !is.primitive(obj)) walk(body(obj), FALSE, f)
  }
  expect_identical(offenders, character())
})
