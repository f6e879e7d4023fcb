# DAZZLE through infer_grn(): short runs only (the side-by-side with the reference is bench/dazzle.R).

test_that("dazzle() has the reference's defaults and validates every argument", {
  m <- dazzle(seed = 1)
  expect_s3_class(m, c("grn_dazzle", "grn_method"))
  p <- m$params
  expect_identical(c(p$alpha, p$beta, p$lr, p$lr_adj, p$augment, p$classifier_weight), c(100, 1, 1e-4, 2e-5, 0.1, 0.5))
  expect_identical(c(p$epochs, p$batch_size, p$hidden, p$sparse_delay), c(120L, 64L, 128L, 5L))
  expect_identical(p$lr_milestones, c(1000L, 2000L))
  expect_identical(grntorch:::.method_label(m), "DAZZLE")
  expect_identical(infer_grn_method <- grntorch:::.resolve_method("dazzle", epochs = 3)$params$epochs, 3L)
  bad <- list(augment = 1, augment = -0.1, augment = NA, classifier_weight = -1, sparse_delay = -1, sparse_delay = 1.5,
              lr_milestones = 0, lr_milestones = "a", epochs = 0, batch_size = 0, lr = 0, lr_adj = -1, seed = -1,
              alpha = -1, hidden = 0, cells_per_epoch = 0, precision = "float16", n_runs = 0)
  for (i in seq_along(bad)) {
    a <- names(bad)[i]
    e <- tryCatch(do.call(dazzle, bad[i]), grntorch_argument_error = function(e) e)
    expect_s3_class(e, "grntorch_argument_error")
    expect_identical(e$arg, a, info = paste(a, format(bad[[i]])))
  }
  e <- tryCatch(dazzle(augmnet = 0.2), grntorch_argument_error = function(e) e)
  expect_match(conditionMessage(e), "augment")
  expect_identical(dazzle(lr_milestones = NULL, seed = 1)$params$lr_milestones, integer())
  # InfoSEM's priors sit on DeepSEM's training, not on DAZZLE's: a clear error, not a silent DeepSEM
  emb <- matrix(rnorm(20), 5, dimnames = list(paste0("g", 1:5), NULL))
  e <- tryCatch(infosem(emb, sem = dazzle(seed = 1)), grntorch_argument_error = function(e) e)
  expect_s3_class(e, "grntorch_argument_error")
  expect_identical(e$arg, "sem")
  expect_match(conditionMessage(e), "DAZZLE")
})

test_that("dazzle() fits through infer_grn(): seeded, every input class, top =, loss parts", {
  d <- small_example(40, 80)
  x <- d$expression
  x0 <- x
  run <- function(input, ...) infer_grn(input, dazzle(epochs = 4, seed = 5, threads = 1, ...), tfs = d$tfs, verbose = FALSE)
  g1 <- run(x)
  g2 <- run(x)
  expect_identical(grn_edges(g1), grn_edges(g2))      # one thread, one seed: bit for bit
  expect_identical(x, x0)                              # the user's matrix is not modified
  e <- grn_edges(g1)
  expect_true(all(e$from %in% d$tfs))
  expect_true(all(e$weight >= 0) && all(is.finite(e$score)))
  expect_false(any(e$from == e$to))
  g3 <- infer_grn(x, dazzle(epochs = 4, seed = 6, threads = 1), tfs = d$tfs, verbose = FALSE)
  expect_false(identical(grn_edges(g3)$score, e$score))
  # sparse input and a SingleCellExperiment give the same network as the dense matrix
  expect_identical(grn_edges(run(Matrix::Matrix(x, sparse = TRUE))), e)
  if (requireNamespace("SingleCellExperiment", quietly = TRUE)) {
    sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = x))
    expect_identical(grn_edges(run(sce)), e)
  }
  gt <- infer_grn(x, dazzle(epochs = 4, seed = 5, threads = 1), tfs = d$tfs, verbose = FALSE, top = 25)
  expect_equal(igraph::ecount(gt), 25)
  expect_equal(grn_edges(gt)$score, head(e$score, 25))
  f <- grn_fit(g1)
  parts <- igraph::graph_attr(g1, "fit")$loss_parts[[1]]
  expect_named(parts, c("mse", "kl", "sparse", "classifier"))
  expect_true(all(parts$classifier > 0))
  # the sparsity term enters the loss after sparse_delay (5) epochs: not in the first four
  loss <- igraph::graph_attr(g1, "fit")$loss[[1]]
  expect_equal(loss, parts$mse + parts$kl + parts$classifier, tolerance = 1e-5)
  # no augmentation: no classifier
  g0 <- run(x, augment = 0)
  expect_true(all(igraph::graph_attr(g0, "fit")$loss_parts[[1]]$classifier == 0))
})

test_that("dazzle() ensembles: stability, BPPARAM-free runs, grn_resources()", {
  d <- small_example(30, 60)
  g <- infer_grn(d$expression, dazzle(epochs = 2, seed = 1, threads = 1, n_runs = 2), tfs = d$tfs, verbose = FALSE)
  e <- grn_edges(g)
  expect_true("stability" %in% names(e))
  expect_true(all(e$stability >= 0 & e$stability <= 1))
  expect_identical(igraph::graph_attr(g, "fit")$seeds, c(1, 2))
  r <- grn_resources(d$expression, dazzle(seed = 1), tfs = d$tfs)
  expect_identical(r$model, "DAZZLE")
  expect_true(is.finite(r$seconds) && r$seconds > 0 && r$peak > 0)
  # time grows with genes (the joint step's LU)
  r2 <- grn_resources(matrix(1, 2000, 500, dimnames = list(paste0("g", 1:2000), NULL)), dazzle(seed = 1))
  expect_gt(r2$epoch_seconds, r$epoch_seconds)
})

test_that("benchmark_grn() runs dazzle() beside deepsem() on the same folds", {
  sim <- simulate_grn(n_genes = 25, n_cells = 80, seed = 2)
  sim$name <- "planted"
  res <- benchmark_grn(list(sim), list(dazzle = dazzle(epochs = 3, seed = 1, threads = 1),
                                       deepsem = deepsem(epochs = 3, seed = 1, threads = 1)),
                       schemes = "universe", seeds = 1, verbose = FALSE)
  expect_setequal(unique(res$method), c("dazzle", "deepsem"))
  au <- res$value[res$metric == "auroc"]
  expect_true(all(is.finite(au) & au >= 0 & au <= 1))
  # the two models are scored on the same pairs but do not give the same network
  expect_false(isTRUE(all.equal(au[res$method[res$metric == "auroc"] == "dazzle"],
                                au[res$method[res$metric == "auroc"] == "deepsem"])))
})

test_that("dazzle() on real data: above chance on a BEELINE STRING folder (short run)", {
  skip_if_no_shared_data()
  d <- file.path(shared_data_dir(), "beeline", "string", "mESC-tfs500")
  expr <- as.matrix(utils::read.csv(gzfile(file.path(d, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE))
  net <- utils::read.csv(file.path(d, "BL--network.csv"))
  truth <- data.frame(from = net$Gene1, to = net$Gene2)
  x <- expr[1:400, ]   # 400 of the 1,120 genes, 20 of the 120 epochs: a short run
  g <- infer_grn(x, dazzle(epochs = 20, seed = 1, threads = 1), tfs = unique(truth$from), verbose = FALSE)
  ev <- evaluate_grn(g, truth, curves = FALSE)
  cat(sprintf("\nSTRING mESC (400 genes), DAZZLE 20 epochs: EPR %.3f, AUPRC ratio %.3f (measured at 2 threads: EPR 1.63; Pearson 1.37)\n",
              ev$epr, ev$auprc_ratio))
  expect_gt(ev$epr, 1.3)
})
