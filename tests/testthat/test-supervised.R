# Supervised graph models and FM embeddings on the bundled real mESC data.
# The fits use one LibTorch thread: they are tiny, and on a busy machine two
# OpenMP threads spin-wait for each other at every small operation (tens of
# times slower than one thread).

# A 300-gene slice of the bundled data with its split restricted to it.
sup_example <- local({
  cache <- NULL
  function() {
    if (!is.null(cache)) return(cache)
    ex <- grntorch_example()
    tfs <- intersect(unique(ex$split$train$from), rownames(ex$expression))[1:25]
    genes <- unique(c(tfs, rownames(ex$expression)))[1:300]
    keep <- function(p) p[p$from %in% genes & p$to %in% genes, ]
    cache <<- list(expression = ex$expression[genes, ], tfs = intersect(ex$tfs, genes),
                   train = keep(ex$split$train), validation = keep(ex$split$validation),
                   test = keep(ex$split$test), embeddings = ex$embeddings)
    cache
  }
})

test_that("GENELink and GNNLink learn the mESC split and score every TF -> gene pair", {
  d <- sup_example()
  # GENELink with the reference's Xavier-initialised towers reaches ~0.89 on this
  # slice (0.82 with LibTorch's default init, which cost 0.05 AUROC on mESC-tfs500).
  fits <- list(list(genelink(epochs = 10, seed = 2, threads = 1), 0.86),
               list(gnnlink(epochs = 8, seed = 1, threads = 1), 0.75))
  for (f in fits) {
    m <- f[[1]]
    elapsed <- system.time(g <- infer_grn(d$expression, m, tfs = d$tfs, train = d$train,
                                          validation = d$validation))[["elapsed"]]
    e <- grn_edges(g)
    # Where the training loop's time went: four phases that account for most
    # of the call and no more than all of it.
    ph <- igraph::graph_attr(g, "fit")$phase_seconds
    expect_named(ph, c("forward", "backward", "step", "validation"))
    expect_true(all(ph >= 0) && ph[["forward"]] > 0 && ph[["backward"]] > 0)
    expect_lte(sum(ph), elapsed + 0.05)
    expect_gt(sum(ph), 0.2 * elapsed)
    # Full network: every regulator x gene pair except self-pairs (scores are probabilities > 0).
    expect_equal(nrow(e), length(d$tfs) * (nrow(d$expression) - 1))
    expect_true(all(e$score > 0 & e$score <= 1))
    fit <- igraph::graph_attr(g, "fit")
    expect_true(fit$best_epoch >= 1 && fit$best_epoch <= fit$epochs_run)
    expect_equal(length(fit$val_auroc), fit$epochs_run)
    auc <- evaluate_grn(g, d$test, missing = 0)$auroc
    expect_gt(auc, f[[2]])
  }
})

test_that("the fitted model depends on train and validation only, and the seed", {
  d <- sup_example()
  fit <- function(val, seed = 1) {
    grn_edges(infer_grn(d$expression, gnnlink(epochs = 4, seed = seed, threads = 1), tfs = d$tfs, train = d$train,
                        validation = val))
  }
  a <- fit(d$validation)
  # Test pairs are no input of infer_grn(): the same call gives the same model
  # whatever the test set is.
  b <- fit(d$validation)
  expect_identical(a, b)
  expect_false(identical(a$score, fit(d$validation, seed = 2)$score))
})

test_that("scRegNet and scTransNet run with FM embeddings and report genes without one", {
  d <- sup_example()
  emb <- d$embeddings[setdiff(rownames(d$embeddings), rownames(d$expression)[1:10]), ]
  g <- infer_grn(d$expression, scregnet(emb, epochs = 3, hidden = c(32, 16, 16, 8), threads = 1), tfs = d$tfs,
                 train = d$train, validation = d$validation)
  fit <- igraph::graph_attr(g, "fit")
  expect_setequal(fit$genes_without_embedding, rownames(d$expression)[1:10])
  expect_gt(evaluate_grn(g, d$test, missing = 0)$auroc, 0.7)
  # no validation pairs on purpose (the last epoch is kept): the classed warning says so
  expect_warning(g2 <- infer_grn(d$expression, scregnet(d$embeddings, gnn = "sage", epochs = 2, hidden = c(32, 16, 16, 8),
                                                        threads = 1), tfs = d$tfs, train = d$train),
                 class = "grntorch_no_validation")
  expect_s3_class(g2, "igraph")
  g3 <- infer_grn(d$expression, sctransnet(d$embeddings, epochs = 3, hidden = c(32, 16, 16, 8), threads = 1), tfs = d$tfs,
                  train = d$train, validation = d$validation)
  expect_gt(evaluate_grn(g3, d$test, missing = 0)$auroc, 0.7)
})

test_that("fm_embeddings pools arrays (mean and attentive), reads CSVs and runs TorchScript", {
  set.seed(1)
  a <- array(rnorm(4 * 3 * 2), c(4, 3, 2), dimnames = list(NULL, c("G1", "G2", "G3"), NULL))
  att <- matrix(runif(12), 4, 3)
  m <- fm_embeddings(a)$embeddings
  expect_equal(m["G2", ], c(mean(a[, 2, 1]), mean(a[, 2, 2])))
  p <- fm_embeddings(a, attention = att, pooling = "attention")$embeddings
  w <- att[, 3] / sum(att[, 3])
  expect_equal(p["G3", ], c(sum(w * a[, 3, 1]), sum(w * a[, 3, 2])))
  # Geneformer-style CSV keyed by Ensembl ID, with a mapping table.
  f <- tempfile(fileext = ".csv")
  utils::write.csv(data.frame(ensembl = c("ENSG01.3", "ENSG02", "ENSG03"), d1 = 1:3, d2 = c(0.5, 0.25, 0)),
                   f, row.names = FALSE)
  e <- fm_embeddings(f, mapping = data.frame(id = c("ENSG01", "ENSG02"), symbol = c("SOX2", "NANOG")))
  expect_equal(rownames(e$embeddings), c("SOX2", "NANOG"))
  expect_equal(e$unmapped, "ENSG03")
  expect_equal(unname(e$embeddings["NANOG", ]), c(2, 0.25))
  # TorchScript module made here with Module::define + save: h = x * w + b,
  # attention = softmax over genes.
  pt <- tempfile(fileext = ".pt")
  grntorch:::.grn_write_torchscript_fixture(pt, 3L, TRUE, 5)
  x <- matrix(c(0, 1, 2, 1, 0, 0.5), 3, 2, dimnames = list(c("A", "B", "C"), NULL))
  z0 <- fm_embeddings(pt, expression = x * 0)$embeddings["A", ]  # = b
  z1 <- fm_embeddings(pt, expression = x * 0 + 1)$embeddings["A", ]  # = w + b
  tm <- fm_embeddings(pt, expression = x, batch_cells = 1)
  expect_equal(tm$source, "torchscript")
  expect_equal(tm$embeddings["B", ], mean(x["B", ]) * (z1 - z0) + z0, tolerance = 1e-5)
  ta <- fm_embeddings(pt, expression = x, pooling = "attention")$embeddings
  sm <- apply(x, 2, function(v) exp(v) / sum(exp(v)))  # genes x cells
  wb <- sm["B", ] / sum(sm["B", ])
  expect_equal(ta["B", ], sum(wb * x["B", ]) * (z1 - z0) + z0, tolerance = 1e-5)
  unlink(c(f, pt))
})

test_that("bad supervised input gives clear errors naming the argument", {
  d <- sup_example()
  bad_train <- rbind(d$train, data.frame(from = "NOTAGENE", to = d$train$to[1], label = 1))
  expect_error(infer_grn(d$expression, gnnlink(epochs = 1), tfs = d$tfs, train = bad_train), "`train`.*absent")
  neg <- d$train[d$train$label == 0, ]
  expect_error(infer_grn(d$expression, gnnlink(epochs = 1), tfs = d$tfs, train = neg), "`train`.*no positive")
  expect_error(infer_grn(d$expression, gnnlink(epochs = 1), tfs = d$tfs, train = d$train,
                         validation = d$validation[d$validation$label == 0, ]), "`validation`.*no positive")
  expect_error(infer_grn(d$expression, "genelink", tfs = d$tfs), "`train`")
  expect_error(scregnet(d$embeddings, embedding_dim = 200), "`embeddings`.*64 dimensions")
  other <- d$embeddings
  rownames(other) <- paste0("X", seq_len(nrow(other)))
  expect_error(infer_grn(d$expression, scregnet(other, epochs = 1), tfs = d$tfs, train = d$train),
               "`embeddings`.*no gene")
  expect_error(scregnet(), "`embeddings`")
  expect_error(scregnet(d$embeddings[, 0, drop = FALSE]), "`embeddings`.*0 columns")
  expect_error(sctransnet(d$embeddings, embedding_dim = 512), "`embeddings`.*64 dimensions.*512")
  expect_error(fm_embeddings(array(0, c(2, 3, 4)), genes = letters[1:3], attention = matrix(1, 3, 3),
                             pooling = "attention"), "`attention`")
  expect_error(fm_embeddings(array(0, c(2, 3, 4)), genes = letters[1:2]), "`genes`")
  expect_error(genelink(epochs = 0), "`epochs`")
  expect_error(fm_embeddings(tempfile(fileext = ".pt"), expression = d$expression), "`x`.*does not exist")
})

test_that("select_window judges each epoch by the centred mean validation AUROC and keeps that epoch", {
  d <- sup_example()
  emb <- d$embeddings
  w <- 3L
  m <- function(..., select_average = FALSE) scregnet(emb, hidden = c(32, 16, 16, 8), batch_size = 64, seed = 3,
                                                       threads = 1, select_average = select_average, ...)
  fit_of <- function(method) infer_grn(d$expression, method, tfs = d$tfs, train = d$train,
                                       validation = d$validation, verbose = FALSE)
  g <- fit_of(m(epochs = 8, patience = 0, select_window = w))
  fit <- igraph::graph_attr(g, "fit")
  expect_equal(fit$epochs_run, 8L)
  # The rule, recomputed from the trace: window means over complete windows,
  # first maximum wins, ties go to the lower mean validation loss.
  ends <- w:length(fit$val_auroc)
  ma <- vapply(ends, function(e) mean(fit$val_auroc[(e - w + 1):e]), 0)
  ml <- vapply(ends, function(e) mean(fit$val_loss[(e - w + 1):e]), 0)
  best <- 1L
  for (i in seq_along(ends)[-1]) if (ma[i] > ma[best] || (ma[i] == ma[best] && ml[i] < ml[best])) best <- i
  expect_equal(fit$best_epoch, ends[best] - w %/% 2)
  # The kept parameters are those of that epoch: the training trajectory does
  # not depend on `epochs` (constant lr), so a run stopped there gives the same scores.
  g2 <- fit_of(m(epochs = fit$best_epoch, patience = 0, select_best = FALSE))
  expect_equal(grn_edges(g)$score, grn_edges(g2)$score, tolerance = 1e-6)
  # select_window = 1 is the per-epoch rule, and no epoch before the window has
  # filled can stop training (patience counts complete windows only).
  g1 <- fit_of(m(epochs = 8, patience = 0, select_window = 1))
  f1 <- igraph::graph_attr(g1, "fit")
  expect_equal(f1$val_auroc, fit$val_auroc)
  expect_true(f1$best_epoch %in% which(f1$val_auroc == max(f1$val_auroc)))
  g3 <- fit_of(m(epochs = 30, patience = 1, select_window = 5))
  expect_gte(igraph::graph_attr(g3, "fit")$epochs_run, 6L)
  # Runs shorter than the window keep the last epoch.
  g4 <- fit_of(m(epochs = 2, select_window = 5))
  expect_equal(igraph::graph_attr(g4, "fit")$best_epoch, 2L)
  # Averaging the window's parameters: same trace and selected window, other
  # kept parameters; with a window of 1 it is the plain rule.
  ga <- fit_of(m(epochs = 8, patience = 0, select_window = w, select_average = TRUE))
  expect_equal(igraph::graph_attr(ga, "fit")$val_auroc, fit$val_auroc)
  expect_equal(igraph::graph_attr(ga, "fit")$best_epoch, fit$best_epoch)
  expect_false(isTRUE(all.equal(grn_edges(ga)$score, grn_edges(g)$score)))
  ga1 <- fit_of(m(epochs = 8, patience = 0, select_window = 1, select_average = TRUE))
  expect_identical(grn_edges(ga1)$score, grn_edges(g1)$score)
})

test_that("select_window and select_average: per-model defaults and clear errors", {
  emb <- sup_example()$embeddings
  expect_identical(formals(scregnet)$select_window, 5)
  expect_identical(formals(sctransnet)$select_window, 5)
  expect_identical(formals(genelink)$select_window, 1)
  expect_identical(formals(gnnlink)$select_window, 1)
  expect_true(formals(scregnet)$select_average && formals(sctransnet)$select_average)
  expect_false(formals(genelink)$select_average || formals(gnnlink)$select_average)
  expect_identical(scregnet(emb)$params$select_window, 5L)
  expect_error(scregnet(emb, select_average = NA), "`select_average`", class = "grntorch_error")
  expect_error(scregnet(emb, select_window = 2), "`select_window`.*odd", class = "grntorch_error")
  expect_error(genelink(select_window = 0), "`select_window`")
  expect_error(gnnlink(select_window = c(3, 5)), "`select_window`")
  expect_error(sctransnet(emb, select_window = 2.5), "`select_window`")
  # The engine checks too (an object edited by hand).
  d <- sup_example()
  bad <- gnnlink(epochs = 1, threads = 1)
  bad$params$select_window <- 4L
  expect_error(infer_grn(d$expression, bad, tfs = d$tfs, train = d$train, validation = d$validation),
               "select_window.*odd", class = "grntorch_argument_error")
})

test_that("the progress bar names the model and epoch, moves within every epoch, and only with verbose", {
  d <- sup_example()
  m <- genelink(epochs = 2, batch_size = 128, hidden = c(32, 16, 16, 8), seed = 4, threads = 1)
  fit <- function(verbose) infer_grn(d$expression, m, tfs = d$tfs, train = d$train, validation = d$validation,
                                     verbose = verbose)
  err <- capture.output(loud <- fit(TRUE), type = "message")
  bar <- grep("^GENELink epoch", progress_draws(err), value = TRUE)
  # e.g. "GENELink epoch 1/2 [=======    ] batch 3/12  loss 0.69  0:01, ~0:05 left"
  expect_match(bar[1], "^GENELink epoch 1/2 \\[[= ]{30}\\] batch 1/[0-9]+  loss [0-9.e-]+  [0-9]+:[0-9]{2}")
  n_batches <- as.integer(sub(".* batch 1/([0-9]+) .*", "\\1", bar[1]))
  expect_gt(n_batches, 1)
  for (e in 1:2) {
    ep <- grep(sprintf("^GENELink epoch %d/2 ", e), bar, value = TRUE)
    expect_gt(length(ep), 1)  # drawn more than once per epoch: its first and last batch at least
    expect_match(ep[1], sprintf(" batch 1/%d ", n_batches), fixed = TRUE)
    expect_match(ep[length(ep)], sprintf(" batch %d/%d ", n_batches, n_batches), fixed = TRUE)
  }
  expect_match(bar[length(bar)], sprintf("[%s]", strrep("=", 30)), fixed = TRUE)
  # Quiet without verbose; and printing the bar changes nothing in the fit.
  err_quiet <- capture.output(quiet <- fit(FALSE), type = "message")
  expect_false(any(grepl("GENELink epoch", err_quiet)))
  expect_identical(grn_edges(loud)$score, grn_edges(quiet)$score)
  expect_identical(igraph::graph_attr(loud, "fit")$train_loss, igraph::graph_attr(quiet, "fit")$train_loss)
})

test_that("pair_correlation is opt-in: off by default, learnt weights reported, bad values refused", {
  d <- sup_example()
  expect_false(genelink()$params$pair_correlation)
  expect_false(gnnlink()$params$pair_correlation)
  for (bad in list(NA, "yes", c(TRUE, FALSE), 1)) {
    expect_error(genelink(pair_correlation = bad), "pair_correlation", class = "grntorch_argument_error")
  }
  fit <- function(pc) infer_grn(d$expression, genelink(epochs = 3, batch_size = 512, seed = 1, threads = 1,
                                                       pair_correlation = pc),
                                tfs = d$tfs, train = d$train, validation = d$validation)
  g0 <- fit(FALSE)
  g1 <- fit(TRUE)
  expect_null(grn_fit(g0)$info$pair_weights)
  w <- grn_fit(g1)$info$pair_weights
  expect_named(w, c("r", "abs_r"))
  expect_true(all(is.finite(w)) && any(w != 0))  # learnt from 0
  s0 <- grn_edges(g0)$score
  s1 <- grn_edges(g1)$score
  expect_false(isTRUE(all.equal(s0, s1)))
  expect_true(all(is.finite(s1) & s1 > 0 & s1 < 1))
  # Pearson of the pair over the cells carries the term: on pairs with the same
  # decoder output, the higher |weighted correlation| scores higher.  Checked as
  # a positive association of the change in logit with the standardised term.
  e0 <- grn_edges(g0)
  e1 <- grn_edges(g1)
  e1 <- e1[match(paste(e0$from, e0$to), paste(e1$from, e1$to)), ]
  x <- d$expression
  r <- vapply(seq_len(nrow(e0)), function(i) stats::cor(x[e0$from[i], ], x[e0$to[i], ]), 0)
  term <- w[["r"]] * (r - mean(r)) / stats::sd(r) + w[["abs_r"]] * (abs(r) - mean(abs(r))) / stats::sd(abs(r))
  expect_gt(stats::cor(stats::qlogis(e1$score) - stats::qlogis(e0$score), term), 0.2)
})

test_that("cell_features: at most k cells changes nothing, bit for bit; more cells use the top-k SVD of the cell axis", {
  d <- sup_example()  # 421 cells
  expect_identical(genelink()$params$cell_features, 1000L)
  expect_identical(scunigp()$params$cell_features, 1000L)
  expect_identical(gnnlink(cell_features = NULL)$params$cell_features, 0L)  # 0 = every cell (engine)
  expect_identical(genelink(cell_features = Inf)$params$cell_features, 0L)
  for (bad in list(0, -5, 2.5, NA, "1000", c(10, 20), -Inf)) {
    expect_error(genelink(cell_features = bad), "cell_features", class = "grntorch_argument_error")
    expect_error(scunigp(cell_features = bad), "cell_features", class = "grntorch_argument_error")
  }
  fit <- function(k) infer_grn(d$expression, gnnlink(epochs = 3, seed = 1, threads = 1, cell_features = k),
                               tfs = d$tfs, train = d$train, validation = d$validation)
  full <- fit(Inf)
  expect_identical(grn_edges(fit(1000)), grn_edges(full))  # the default, 421 cells <= 1000
  expect_identical(grn_edges(fit(ncol(d$expression))), grn_edges(full))
  expect_identical(grn_fit(full)$info$input_features, ncol(d$expression))
  expect_identical(grn_fit(full)$info$cell_variance_kept, 1)
  # 30 components: the engine's share of the z scores' sum of squares is that
  # of R's own SVD of the same z scores (population sd, as the engine's).
  red <- fit(30)
  info <- grn_fit(red)$info
  expect_identical(info$input_features, 30L)
  z <- d$expression - rowMeans(d$expression)
  z <- z / sqrt(rowMeans(z^2))
  s2 <- svd(z, nu = 0, nv = 0)$d^2
  expect_equal(info$cell_variance_kept, sum(s2[1:30]) / sum(s2), tolerance = 1e-5)
  expect_false(isTRUE(all.equal(grn_edges(red)$score, grn_edges(full)$score)))
  # Still a working model on the reduced features (GENELink, 10 epochs: 0.893
  # on every cell, 0.881 on 50 components, 0.903 on 20 when measured).
  g <- infer_grn(d$expression, genelink(epochs = 10, seed = 2, threads = 1, cell_features = 50), tfs = d$tfs,
                 train = d$train, validation = d$validation)
  expect_identical(grn_fit(g)$info$input_features, 50L)
  expect_gt(evaluate_grn(g, d$test, missing = 0)$auroc, 0.83)
  # Fewer genes than k: min(k, genes) components hold all of the data.
  small <- infer_grn(d$expression[1:60, ], gnnlink(epochs = 1, patience = 0, select_best = FALSE, seed = 1, threads = 1,
                                              cell_features = 100),
                     tfs = intersect(d$tfs, rownames(d$expression)[1:60]),
                     train = d$train[d$train$from %in% rownames(d$expression)[1:60] &
                                       d$train$to %in% rownames(d$expression)[1:60], ],
                     validation = NULL, verbose = FALSE)
  expect_identical(grn_fit(small)$info$input_features, 60L)
  expect_equal(grn_fit(small)$info$cell_variance_kept, 1, tolerance = 1e-6)
})
