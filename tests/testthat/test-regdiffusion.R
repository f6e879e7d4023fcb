# RegDiffusion through infer_grn(): short runs only (full-length accuracy and
# speed beside the reference are in bench/regdiffusion.R).

test_that("regdiffusion() validates its arguments and keeps the reference's defaults", {
  m <- regdiffusion(seed = 1)
  expect_s3_class(m, "grn_regdiffusion")
  p <- m$params
  expect_equal(c(p$steps, p$batch_size, p$T, p$time_dim, p$hidden), c(1000L, 128L, 5000L, 64L, 16L))
  expect_equal(c(p$lr_nn, p$weight_decay_nn, p$weight_decay_adj, p$sparse_loss_coef, p$adj_dropout),
               c(1e-3, 0.1, 0.01, 0.25, 0.3))
  expect_equal(c(p$start_noise, p$end_noise, p$init_coef), c(1e-4, 0.02, 5))
  expect_null(p$lr_adj)
  set.seed(5); s1 <- regdiffusion()$params$seed
  set.seed(5); s2 <- regdiffusion()$params$seed
  expect_identical(s1, s2)
  bad <- list(list(steps = 0), list(batch_size = 0), list(lr_nn = -1), list(lr_nn = 0), list(lr_adj = -1e-3),
              list(weight_decay_nn = -1), list(weight_decay_adj = NA), list(sparse_loss_coef = -0.1),
              list(adj_dropout = 1), list(adj_dropout = -0.1), list(T = 1), list(start_noise = 0),
              list(end_noise = "a"), list(time_dim = 5), list(hidden = 1), list(init_coef = Inf),
              list(n_runs = 0), list(seed = 1.5), list(device = "tpu"), list(threads = 0))
  for (b in bad) {
    e <- tryCatch(do.call(regdiffusion, b), error = function(e) e)
    expect_s3_class(e, "grntorch_argument_error")
    expect_match(conditionMessage(e), names(b), fixed = TRUE, label = names(b))
  }
  expect_error(regdiffusion(end_noise = 0.5, T = 100), class = "grntorch_argument_error", regexp = "end_noise")
  expect_error(regdiffusion(setps = 3), class = "grntorch_argument_error", regexp = "setps")
  expect_error(regdiffusion(BPPARAM = 2), class = "grntorch_argument_error", regexp = "BPPARAM")
  expect_error(regdiffusion(device = "cuda"), class = "grntorch_argument_error", regexp = "CPU only")
})

test_that("a short run: regulator -> target edges, weight |score|, loss trace, same seed same network", {
  ex <- small_example(40, 90)
  fit <- function(seed, ...) infer_grn(ex$expression, regdiffusion(steps = 30, batch_size = 32, seed = seed, threads = 1, ...),
                                       tfs = ex$tfs, verbose = FALSE)
  g <- fit(7)
  e <- grn_edges(g)
  expect_true(all(e$from %in% ex$tfs))
  expect_equal(e$weight, abs(e$score))
  expect_false(any(e$from == e$to))
  expect_equal(igraph::graph_attr(g, "method"), "regdiffusion")
  f <- grn_fit(g)
  expect_equal(nrow(f$loss), 30L)
  info <- f$info
  expect_length(info$loss[[1]], 30L)
  expect_equal(info$loss[[1]], info$loss_parts[[1]]$mse + info$loss_parts[[1]]$sparse)
  expect_length(info$adj_change[[1]], 30L)
  expect_true(all(is.finite(info$loss[[1]])))
  expect_identical(grn_edges(fit(7)), e)
  e8 <- grn_edges(fit(8))
  expect_false(identical(e$score, e8$score[match(paste(e$from, e$to), paste(e8$from, e8$to))]))
  # by name, with `...` going to the constructor
  g2 <- infer_grn(ex$expression, "regdiffusion", tfs = ex$tfs, steps = 30, batch_size = 32, seed = 7, threads = 1,
                  verbose = FALSE)
  expect_identical(grn_edges(g2), e)
  # top = keeps the strongest edges of the same network
  gt <- infer_grn(ex$expression, regdiffusion(steps = 30, batch_size = 32, seed = 7, threads = 1), tfs = ex$tfs,
                  top = 25, verbose = FALSE)
  et <- grn_edges(gt)
  expect_equal(nrow(et), 25L)
  expect_equal(paste(et$from, et$to), paste(e$from, e$to)[order(e$rank)][1:25])
  expect_silent(p <- plot_training(g))
})

test_that("every input class gives the same network", {
  ex <- small_example(30, 60)
  m <- ex$expression
  meth <- regdiffusion(steps = 10, batch_size = 16, seed = 3, threads = 1)
  ref <- grn_edges(infer_grn(m, meth, tfs = ex$tfs, verbose = FALSE))
  sp <- Matrix::Matrix(m, sparse = TRUE)
  expect_identical(grn_edges(infer_grn(sp, meth, tfs = ex$tfs, verbose = FALSE)), ref)
  if (requireNamespace("SingleCellExperiment", quietly = TRUE)) {
    sce <- SingleCellExperiment::SingleCellExperiment(assays = list(logcounts = m))
    expect_identical(grn_edges(infer_grn(sce, meth, tfs = ex$tfs, verbose = FALSE)), ref)
  }
  expect_error(infer_grn(as.data.frame(m), meth, tfs = ex$tfs, verbose = FALSE), class = "grntorch_argument_error")
})

test_that("ensembles average |A| over seeds and report stability", {
  ex <- small_example(25, 60)
  base <- function(seed, n_runs = 1, ...) regdiffusion(steps = 10, batch_size = 16, seed = seed, threads = 1,
                                                      n_runs = n_runs, ...)
  runs <- lapply(21:22, function(s) grn_edges(infer_grn(ex$expression, base(s), tfs = ex$tfs, verbose = FALSE)))
  ens <- grn_edges(infer_grn(ex$expression, base(21, n_runs = 2, stability_k = 40), tfs = ex$tfs, verbose = FALSE))
  key <- paste(ens$from, ens$to)
  sc <- sapply(runs, function(r) r$score[match(key, paste(r$from, r$to))])
  sc[is.na(sc)] <- 0
  expect_equal(ens$weight, rowMeans(abs(sc)), tolerance = 1e-12)
  expect_true(all(ens$stability >= 0 & ens$stability <= 1))
  expect_equal(sum(ens$stability) * 2, 80)
  if (requireNamespace("BiocParallel", quietly = TRUE)) {
    bp <- grn_edges(infer_grn(ex$expression, base(21, n_runs = 2, stability_k = 40, BPPARAM = BiocParallel::SerialParam()),
                              tfs = ex$tfs, verbose = FALSE))
    expect_identical(bp, ens)
  }
})

test_that("bad input: batch larger than the cells, too few genes, divergence; the user's object is unchanged", {
  ex <- small_example(20, 40)
  m <- ex$expression
  m0 <- m
  expect_error(infer_grn(m, regdiffusion(steps = 2, batch_size = 41, seed = 1, threads = 1), verbose = FALSE),
               class = "grntorch_argument_error", regexp = "batch_size")
  expect_identical(m, m0)
  expect_error(infer_grn(m[1, , drop = FALSE], regdiffusion(steps = 2, batch_size = 8, seed = 1), verbose = FALSE),
               class = "grntorch_error")
  e <- tryCatch(infer_grn(m, regdiffusion(steps = 30, batch_size = 16, lr_nn = 1e30, lr_adj = 1e30, seed = 1, threads = 1),
                          verbose = FALSE), error = function(e) e)
  # a huge learning rate either diverges with a clear error or still returns finite scores
  if (inherits(e, "error")) {
    expect_s3_class(e, "grntorch_error")
    expect_match(conditionMessage(e), "diverged|finite")
  } else {
    expect_true(all(is.finite(grn_edges(e)$score)))
  }
  expect_identical(m, m0)
})

test_that("progress bar and planner", {
  ex <- small_example(20, 40)
  out <- capture.output(type = "message", g <- infer_grn(ex$expression, regdiffusion(steps = 20, batch_size = 8,
                                                                                     seed = 1, threads = 1),
                                                         tfs = ex$tfs, verbose = TRUE))
  expect_true(any(grepl("RegDiffusion", out)))
  r <- grn_resources(ex$expression, regdiffusion(seed = 1, batch_size = 8), tfs = ex$tfs)
  expect_s3_class(r, "grn_resources")
  expect_true(is.finite(r$peak) && r$peak > 0)
  expect_true(is.finite(r$seconds) && r$seconds > 0)
  expect_identical(r$unit, "step")
  expect_match(paste(capture.output(print(r)), collapse = " "), "per step")
  # genome scale from the sizes alone: at least the four 20,000^2 float matrices (6.4 GB), nothing per cell
  dims <- list(genes = 20000, regulators = 20000, cells = 1e5, n_train = 0, n_validation = 0, top = NULL)
  big <- grntorch:::.plan_regdiffusion(regdiffusion(seed = 1, threads = 2), dims)
  expect_gte(big$bytes, 4 * 4 * 20000^2)
  expect_lt(big$bytes, 12e9)
  dims$cells <- 1e6
  expect_equal(grntorch:::.plan_regdiffusion(regdiffusion(seed = 1, threads = 2), dims)$bytes, big$bytes)
  expect_gt(big$seconds, 60)
})

test_that("benchmark_grn() runs regdiffusion() like any model", {
  sim <- simulate_grn(n_genes = 25, n_cells = 80, seed = 2)
  sim$name <- "planted"
  res <- benchmark_grn(list(sim), list(regdiffusion = regdiffusion(steps = 30, batch_size = 16, seed = 1, threads = 1),
                                       pearson = "pearson"),
                       schemes = "universe", seeds = 1, verbose = FALSE)
  expect_setequal(unique(res$method), c("regdiffusion", "pearson"))
  au <- res$value[res$metric == "auroc" & res$method == "regdiffusion"]
  expect_length(au, 1)
  expect_true(is.finite(au) && au >= 0 && au <= 1)
})

test_that("only the regulators' rows come back, the same as those of the whole adjacency", {
  ex <- small_example(30, 60)
  meth <- regdiffusion(steps = 15, batch_size = 16, seed = 5, threads = 1)
  all <- grn_edges(infer_grn(ex$expression, meth, verbose = FALSE))
  tf <- grn_edges(infer_grn(ex$expression, meth, tfs = ex$tfs, verbose = FALSE))
  sub <- all[all$from %in% ex$tfs, ]
  expect_equal(nrow(tf), nrow(sub))
  expect_identical(tf$score, sub$score[match(paste(tf$from, tf$to), paste(sub$from, sub$to))])
})
