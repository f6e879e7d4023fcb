# benchmark_grn(): tidy results, seeds, summary and plot.

test_that("benchmark_grn runs methods x schemes x seeds and returns tidy rows", {
  ex <- small_example(n_genes = 120, n_cells = 40)
  truth <- ex$truth[ex$truth$from %in% rownames(ex$expression) & ex$truth$to %in% rownames(ex$expression), ]
  ds <- list(tiny = list(expression = ex$expression, tfs = ex$tfs, truth = truth, kind = "specific"))
  res <- benchmark_grn(ds, list("random", lr = onehot_lr(cs = 1, folds = 2), "pearson"),
                       schemes = c("unseen_genes", "universe"), seeds = 1:2, verbose = FALSE)
  expect_s3_class(res, "grn_benchmark")
  expect_named(res, c("dataset", "network_kind", "method", "scheme", "test_set", "seed", "metric", "value", "seconds"))
  expect_setequal(unique(res$test_set), c("test_seen", "test_unseen", "universe"))
  expect_false(any(res$method == "lr" & res$scheme == "universe"))     # supervised: no universe run
  expect_equal(sort(unique(res$seed)), 1:2)
  expect_true(all(res$network_kind == "specific"))
  # Each run gives the metrics evaluate_grn() gives for the same split.
  s <- split_edges(truth, "unseen_genes", tfs = ex$tfs, genes = rownames(ex$expression), seed = 2)
  g <- infer_grn(ex$expression, random_baseline(seed = 2), tfs = ex$tfs)
  ev <- evaluate_grn(g, s$test_seen, missing = 0)
  got <- res[res$method == "random" & res$seed == 2 & res$test_set == "test_seen", ]
  expect_equal(got$value[got$metric == "average_precision"], ev$average_precision)
  expect_equal(got$value[got$metric == "density"], ev$density)
  # Seeds change the random baseline.
  ap <- res$value[res$method == "random" & res$test_set == "test_seen" & res$metric == "auroc"]
  expect_false(ap[1] == ap[2])
  sm <- summary(res, metric = "average_precision")
  expect_true(all(c("mean", "se", "n") %in% names(sm)))
  expect_equal(unique(sm$n[sm$scheme == "unseen_genes"]), 2L)
  expect_output(print(res), "grn_benchmark")
  skip_if_not_installed("ggplot2")
  p <- plot(res, "average_precision")
  expect_s3_class(p, "ggplot")
})

test_that("bad input names the argument", {
  ex <- grntorch_example()
  expect_error(benchmark_grn(list(ex), "random", schemes = "nope"), "`schemes`")
  expect_error(benchmark_grn(list(ex), "nope"), "`methods`", class = "grntorch_argument_error")   # the argument the user gave (issue 36)
  expect_error(benchmark_grn(list(list(a = 1)), "random"), "`datasets`")
  expect_error(benchmark_grn(list(ex), "random", seeds = 1.5), "`seeds`")
})
