# DeepSEM through infer_grn(): short runs only (full-length accuracy is in bench/deepsem.R).

# Data from a known linear SEM X = X A^T + Z (A[target, regulator]): a few TFs
# (roots), every target has two TF parents (v-structures identify direction).
simulate_sem <- function(n_tf = 4, n_target = 16, n_cells = 400, seed = 1) {
  set.seed(seed)
  n <- n_tf + n_target
  genes <- c(sprintf("TF%d", seq_len(n_tf)), sprintf("G%02d", seq_len(n_target)))
  A <- matrix(0, n, n, dimnames = list(genes, genes))  # A[target, regulator]
  for (t in seq_len(n_target)) {
    par <- sample(seq_len(n_tf), 2)
    A[n_tf + t, par] <- sample(c(-1, 1), 2, replace = TRUE) * stats::runif(2, 0.8, 1.2)
  }
  Z <- matrix(stats::rnorm(n_cells * n), n_cells, n)  # cells x genes
  X <- Z %*% solve(diag(n) - t(A))                     # X = X A^T + Z
  list(expr = t(X) + 5, A = A, genes = genes, tfs = genes[seq_len(n_tf)],
       dimnames = NULL)
}

epr_from_edges <- function(edges, truth_from, truth_to, tfs, genes) {
  cand <- expand.grid(from = tfs, to = genes, stringsAsFactors = FALSE)
  cand <- cand[cand$from != cand$to, ]
  key <- paste(cand$from, cand$to)
  w <- edges$weight[match(key, paste(edges$from, edges$to))]
  w[is.na(w)] <- 0
  truth <- key %in% paste(truth_from, truth_to)
  k <- sum(truth)
  top <- order(-w)[seq_len(k)]
  mean(truth[top]) / mean(truth)
}

test_that("deepsem() validates its arguments and fills per-mode defaults", {
  m <- deepsem(seed = 1)
  expect_s3_class(m, "grn_deepsem")
  expect_equal(m$params$mode, "celltype")
  expect_equal(c(m$params$alpha, m$params$beta), c(1, 0.01))
  m2 <- deepsem(mode = "nonspecific", seed = 1)
  expect_equal(c(m2$params$alpha, m2$params$beta), c(100, 1))
  expect_equal(deepsem(alpha = 3, mode = "nonspecific", seed = 1)$params$alpha, 3)
  expect_equal(c(m$params$epochs, m$params$batch_size, m$params$hidden), c(120L, 64L, 128L))
  expect_equal(c(m$params$lr, m$params$lr_adj, m$params$lr_decay), c(1e-4, 2e-5, 1))
  set.seed(5); s1 <- deepsem()$params$seed
  set.seed(5); s2 <- deepsem()$params$seed
  expect_identical(s1, s2)
  expect_error(deepsem(alpha = -1), class = "grntorch_error", regexp = "alpha")
  expect_error(deepsem(beta = NA), class = "grntorch_error", regexp = "beta")
  expect_error(deepsem(epochs = 0), class = "grntorch_error", regexp = "epochs")
  expect_error(deepsem(lr = 0), class = "grntorch_error", regexp = "`lr`")
  expect_error(deepsem(lr_adj = -1), class = "grntorch_error", regexp = "lr_adj")
  expect_error(deepsem(lr_decay = 2), class = "grntorch_error", regexp = "lr_decay")
  expect_error(deepsem(mode = "bulk"), class = "grntorch_argument_error", regexp = "mode")
  expect_identical(deepsem(mode = "non", seed = 1)$params$mode, "nonspecific")   # a unique prefix, as match.arg()
  expect_error(deepsem(mode = c("nonspecific", "celltype")), class = "grntorch_argument_error", regexp = "mode")
  expect_error(deepsem(n_runs = 0), class = "grntorch_error", regexp = "n_runs")
  expect_error(deepsem(seed = 1.5), class = "grntorch_error", regexp = "seed")
  expect_error(deepsem(device = "tpu"), class = "grntorch_error", regexp = "device")
  expect_error(deepsem(epohcs = 3), class = "grntorch_error", regexp = "epohcs")
  expect_error(deepsem(BPPARAM = 2), class = "grntorch_error", regexp = "BPPARAM")
})

test_that("the engine's A[target, regulator] becomes scores[regulator, target]", {
  A <- matrix(0, 3, 3, dimnames = list(c("TF1", "G1", "G2"), c("TF1", "G1", "G2")))
  A["G1", "TF1"] <- 0.5   # TF1 -> G1 (A[i, j]: effect of gene j on gene i)
  A["TF1", "G2"] <- -0.2  # G2 -> TF1
  s <- grntorch:::.deepsem_scores(unname(A), 1L)
  expect_equal(dim(s), c(1L, 3L))
  expect_equal(s[1, ], c(0, 0.5, 0))
})

test_that("DeepSEM recovers a planted linear SEM, edges pointing regulator -> target", {
  sim <- simulate_sem()
  g <- infer_grn(sim$expr, deepsem(mode = "nonspecific", alpha = 1, beta = 1, epochs = 60, lr = 1e-3,
                                   lr_adj = 1e-3, batch_size = 32, seed = 1, threads = 1),
                 tfs = sim$tfs, verbose = FALSE)
  e <- grn_edges(g)
  expect_true(all(e$from %in% sim$tfs))
  # Orientation of the igraph itself: every edge leaves a TF vertex.
  ends <- igraph::ends(g, igraph::E(g))
  expect_true(all(ends[, 1] %in% sim$tfs))
  idx <- which(sim$A != 0, arr.ind = TRUE)  # rows = targets, cols = regulators
  truth_from <- sim$genes[idx[, "col"]]
  truth_to <- sim$genes[idx[, "row"]]
  epr <- epr_from_edges(e, truth_from, truth_to, sim$tfs, sim$genes)
  # Random ranking gives EPR ~ 1; the maximum here is 1 / density ~ 2.4.
  expect_gt(epr, 1.8)
  # Signs: planted edges are recovered with their sign.
  sc <- e$score[match(paste(truth_from, truth_to), paste(e$from, e$to))]
  expect_gt(mean(sign(sc) == sign(sim$A[idx])), 0.9)
})

test_that("the same seed with one thread gives a bit-identical network; another seed does not", {
  ex <- small_example(40, 70)
  fit <- function(seed) {
    g <- infer_grn(ex$expression, deepsem(epochs = 3, hidden = 16, seed = seed, threads = 1),
                   tfs = ex$tfs, verbose = FALSE)
    grn_edges(g)
  }
  a <- fit(7); b <- fit(7); c <- fit(8)
  expect_identical(a, b)
  expect_false(identical(a$score, c$score[match(paste(a$from, a$to), paste(c$from, c$to))]))
  expect_equal(igraph::graph_attr(infer_grn(ex$expression, "deepsem", tfs = ex$tfs, epochs = 2, hidden = 8,
                                            seed = 1, threads = 1, verbose = FALSE), "method"), "deepsem")
})

test_that("ensembles average |A| over seeds, take the sign of the mean A and report stability", {
  ex <- small_example(30, 60)
  base <- function(seed, n_runs = 1, ...) deepsem(epochs = 3, hidden = 16, seed = seed, threads = 1, n_runs = n_runs, ...)
  runs <- lapply(11:13, function(s) grn_edges(infer_grn(ex$expression, base(s), tfs = ex$tfs, verbose = FALSE)))
  ens <- grn_edges(infer_grn(ex$expression, base(11, n_runs = 3, stability_k = 50), tfs = ex$tfs, verbose = FALSE))
  key <- paste(ens$from, ens$to)
  sc <- sapply(runs, function(r) r$score[match(key, paste(r$from, r$to))])
  sc[is.na(sc)] <- 0
  expect_equal(ens$weight, rowMeans(abs(sc)), tolerance = 1e-12)
  expect_equal(sign(ens$score), ifelse(rowMeans(sc) < 0, -1, 1))
  expect_true(all(ens$stability >= 0 & ens$stability <= 1))
  # stability = fraction of runs with the edge in that run's top 50
  top50 <- sapply(runs, function(r) key %in% paste(r$from, r$to)[order(r$rank)][1:50])
  expect_equal(ens$stability, rowMeans(top50))
  expect_equal(sum(ens$stability) * 3, 150)
  # keep_runs: each run's regulators x genes scores, equal to the single runs
  kept <- igraph::graph_attr(infer_grn(ex$expression, base(11, n_runs = 3, stability_k = 50, keep_runs = TRUE),
                                       tfs = ex$tfs, verbose = FALSE), "fit")$runs
  expect_length(kept, 3)
  for (i in 1:3) {
    m <- kept[[i]]
    expect_equal(m[cbind(match(runs[[i]]$from, rownames(m)), match(runs[[i]]$to, colnames(m)))], runs[[i]]$score)
  }
  if (requireNamespace("BiocParallel", quietly = TRUE)) {
    bp <- grn_edges(infer_grn(ex$expression, base(11, n_runs = 3, stability_k = 50, BPPARAM = BiocParallel::SerialParam()),
                              tfs = ex$tfs, verbose = FALSE))
    expect_identical(bp, ens)
  }
})

test_that("DeepSEM fails clearly on a diverging fit and on an unavailable device", {
  ex <- small_example(20, 40)
  expect_error(infer_grn(ex$expression, deepsem(epochs = 5, hidden = 8, lr = 1e6, lr_adj = 1e6, seed = 1, threads = 1),
                         tfs = ex$tfs, verbose = FALSE), regexp = "diverged.*lr")
  if (!isTRUE(grntorch_sitrep(verbose = FALSE)$cuda)) {
    expect_error(infer_grn(ex$expression, deepsem(epochs = 1, device = "cuda", seed = 1), tfs = ex$tfs, verbose = FALSE),
                 regexp = "device")
  }
})

test_that("cells_per_epoch: at least the number of cells changes nothing; fewer trains on subsets", {
  ex <- grntorch_example()
  x <- ex$expression[1:40, 1:90]
  fit <- function(...) grn_edges(infer_grn(x, deepsem(epochs = 3, seed = 4, threads = 1, ...), tfs = ex$tfs,
                                           verbose = FALSE))
  full <- fit()
  # The default bounds an epoch at 1,000 cells; fewer cells get the reference's full passes.
  expect_identical(deepsem()$params$cells_per_epoch, 1000L)
  expect_identical(deepsem(cells_per_epoch = NULL)$params$cells_per_epoch, 0L)
  expect_identical(fit(cells_per_epoch = NULL), full)
  expect_identical(fit(cells_per_epoch = 90), full)
  sub <- fit(cells_per_epoch = 30)
  expect_false(identical(sub$score, full$score))
  expect_identical(fit(cells_per_epoch = 30), sub)
  expect_error(deepsem(cells_per_epoch = 0), class = "grntorch_argument_error", regexp = "cells_per_epoch")
  # InfoSEM passes it on to its DeepSEM core.
  m <- infosem(ex$embeddings, epochs = 2, seed = 1, threads = 1, cells_per_epoch = 30)
  expect_identical(m$params$cells_per_epoch, 30L)
  g <- infer_grn(x, m, tfs = ex$tfs, verbose = FALSE)
  expect_gt(igraph::ecount(g), 0)
})

test_that("precision = \"bfloat16\": validated, close to float32 but not the same, recovers the planted SEM", {
  expect_identical(deepsem()$params$precision, "float32")
  expect_identical(deepsem(precision = "bfloat16")$params$precision, "bfloat16")
  expect_error(deepsem(precision = "half"), class = "grntorch_argument_error", regexp = "precision")
  expect_error(deepsem(precision = "bfloat16", device = "cuda"), class = "grntorch_argument_error",
               regexp = "precision")
  sim <- simulate_sem()
  fit <- function(pr, seed = 1) {
    g <- infer_grn(sim$expr, deepsem(mode = "nonspecific", alpha = 1, beta = 1, epochs = 60, lr = 1e-3,
                                     lr_adj = 1e-3, batch_size = 32, seed = seed, threads = 1, precision = pr),
                   tfs = sim$tfs, verbose = FALSE)
    grn_edges(g)
  }
  f32 <- fit("float32")
  b16 <- fit("bfloat16")
  key <- paste(f32$from, f32$to)
  w16 <- b16$weight[match(key, paste(b16$from, b16$to))]
  f32b <- fit("float32", seed = 2)
  w2 <- f32b$weight[match(key, paste(f32b$from, f32b$to))]
  # The option changes the arithmetic, by far less than another seed does.
  expect_false(identical(f32$weight, w16))
  expect_gt(stats::cor(f32$weight, w16), 0.95)
  expect_gt(stats::cor(f32$weight, w16), stats::cor(f32$weight, w2))
  idx <- which(sim$A != 0, arr.ind = TRUE)
  expect_gt(epr_from_edges(b16, sim$genes[idx[, "col"]], sim$genes[idx[, "row"]], sim$tfs, sim$genes), 1.8)
  # InfoSEM passes it on to its DeepSEM core.
  ex <- grntorch_example()
  expect_identical(infosem(ex$embeddings, precision = "bfloat16")$params$precision, "bfloat16")
  expect_type(grntorch_sitrep(verbose = FALSE)$onednn, "logical")
})
