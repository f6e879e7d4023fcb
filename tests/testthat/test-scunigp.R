# scUniGP through infer_grn(): short runs on a gene subset of the bundled
# mESC example and its bridge-grn-sample1 split (accuracy runs: bench/scunigp.R).

scunigp_subset <- function(n_genes = 160) {
  ex <- grntorch_example()
  keep <- rownames(ex$expression)[seq_len(n_genes)]
  sub <- function(p) p[p$from %in% keep & p$to %in% keep, , drop = FALSE]
  list(expr = ex$expression[keep, ], tfs = intersect(ex$tfs, keep), train = sub(ex$split$train),
       validation = sub(ex$split$validation), test = sub(ex$split$test))
}

tiny_scunigp <- function(...) {
  scunigp(d_model = 16, n_heads = 2, n_layers = 1, dim_feedforward = 32, gnn_dims = c(16, 8),
          tower_dims = c(8, 4), gat_heads = 2, batch_size = 128, lr = 3e-3, ...)
}

auroc_r <- function(score, label) {
  r <- rank(score)
  np <- sum(label == 1); nn <- sum(label == 0)
  (sum(r[label == 1]) - np * (np + 1) / 2) / (np * nn)
}

test_that("scunigp() scores every regulator x gene pair and beats chance on held-out test pairs", {
  d <- scunigp_subset()
  g <- infer_grn(d$expr, tiny_scunigp(epochs = 6, pretrain_epochs = 4, seed = 3), tfs = d$tfs,
                 train = d$train, validation = d$validation, verbose = FALSE)
  expect_s3_class(g, "igraph")
  e <- grn_edges(g)
  regs <- intersect(rownames(d$expr), toupper(d$tfs))
  expect_equal(nrow(e), length(regs) * nrow(d$expr) - length(regs))  # all pairs but self-pairs
  expect_true(all(e$score > 0 & e$score < 1))
  expect_true(all(e$from %in% regs))
  fit <- igraph::graph_attr(g, "fit")
  expect_true(fit$best_epoch >= 1 && fit$best_epoch <= 6)
  expect_true(length(fit$pretrain_val_auroc) >= 1)
  expect_equal(fit$best_val_auroc, max(fit$val_auroc))
  # Both stages' training loops by phase, within the stages' own seconds.
  expect_named(fit$phase_seconds, c("forward", "backward", "step", "validation"))
  expect_true(all(fit$phase_seconds >= 0) && fit$phase_seconds[["backward"]] > 0)
  expect_lte(sum(fit$phase_seconds), fit$seconds[["pretrain"]] + fit$seconds[["train"]] + 0.05)
  # The global branch's own expert scores come back for every regulator x gene pair.
  expect_setequal(rownames(fit$expert_logits), regs)
  expect_identical(colnames(fit$expert_logits), rownames(d$expr))
  expect_true(all(is.finite(fit$expert_logits)))
  key <- paste(e$from, e$to)
  s <- e$score[match(paste(d$test$from, d$test$to), key)]
  expect_false(anyNA(s))
  expect_gt(auroc_r(s, d$test$label), 0.7)
})

test_that("scunigp is reproducible by seed; test pairs never enter the fit", {
  d <- scunigp_subset(100)
  run <- function(seed, fusion = "none")
    grn_edges(infer_grn(d$expr, tiny_scunigp(epochs = 2, pretrain_epochs = 1, seed = seed, fusion = fusion),
                        tfs = d$tfs, train = d$train, validation = d$validation, verbose = FALSE))
  a <- run(1, "multiscale"); b <- run(1, "multiscale"); c <- run(2, "multiscale")
  expect_identical(a, b)
  expect_false(identical(a$score, c$score[match(paste(a$from, a$to), paste(c$from, c$to))]))
  # infer_grn() has no way to receive test pairs: the fit depends on train and
  # validation only, so the same call gives the same network whatever the test set.
  expect_false("test" %in% names(formals(infer_grn)))
})

test_that("scunigp ablations run by name and without validation (held-out fraction)", {
  d <- scunigp_subset(100)
  for (f in c("early", "late")) {
    g <- infer_grn(d$expr, "scunigp", tfs = d$tfs, train = d$train, validation = d$validation,
                   d_model = 16, n_heads = 2, n_layers = 1, dim_feedforward = 32, gnn_dims = c(16, 8),
                   tower_dims = c(8, 4), gat_heads = 2, epochs = 1, pretrain_epochs = 1, fusion = f,
                   gnn = "gcn", verbose = FALSE)
    expect_identical(igraph::graph_attr(g, "params")$fusion, f)
    expect_gt(igraph::ecount(g), 0)
  }
  expect_message(infer_grn(d$expr, tiny_scunigp(epochs = 1, pretrain_epochs = 1), tfs = d$tfs,
                           train = d$train, verbose = TRUE), "holding out")
})

test_that("scunigp rejects bad input with errors naming the argument", {
  d <- scunigp_subset(100)
  expect_error(scunigp(n_heads = 3), "n_heads")
  expect_error(scunigp(fusion = "middle"), "fusion")
  expect_error(scunigp(gnn = "sage"), "gnn")
  expect_error(scunigp(size = "huge"), "size")
  expect_error(scunigp(epochs = 0), "epochs")
  expect_error(scunigp(gnn_dims = c(16, -1)), "gnn_dims")
  expect_error(scunigp(dropout = 1), "dropout")
  expect_error(scunigp(pretrain_patience = 0), "pretrain_patience")
  expect_error(infer_grn(d$expr, tiny_scunigp(), tfs = d$tfs, verbose = FALSE), "train")
  neg <- d$train[d$train$label == 0, ]
  expect_error(infer_grn(d$expr, tiny_scunigp(), tfs = d$tfs, train = neg, validation = d$validation,
                         verbose = FALSE), "train")
  v1 <- d$validation[d$validation$label == 1, ]
  expect_error(infer_grn(d$expr, tiny_scunigp(), tfs = d$tfs, train = d$train, validation = v1,
                         verbose = FALSE), "validation")
  bad <- d$train; bad$to[1] <- "NOT_A_GENE"
  expect_error(infer_grn(d$expr, tiny_scunigp(), tfs = d$tfs, train = bad, verbose = FALSE), "train")
  m <- scunigp(size = "paper")
  expect_identical(m$params$d_model, 1024L)
  expect_identical(m$params$n_layers, 4L)
  expect_identical(m$params$n_heads, 8L)
})

test_that("the progress bar shows scUniGP's two stages as two labelled bars, only with verbose", {
  d <- scunigp_subset()
  # Pre-training stops early (at epoch 3 of 30: patience 1).
  m <- tiny_scunigp(epochs = 2, pretrain_epochs = 30, pretrain_patience = 1, seed = 3)
  fit <- function(verbose) infer_grn(d$expr, m, tfs = d$tfs, train = d$train, validation = d$validation,
                                     verbose = verbose)
  err <- capture.output(loud <- fit(TRUE), type = "message")
  draws <- progress_draws(err)
  pre <- grep("^scUniGP pre-training epoch [0-9]+/30 \\[", draws)
  joint <- grep("^scUniGP joint training epoch [12]/2 \\[", draws)
  expect_gt(length(pre), 2)    # drawn within the epochs, not once per epoch
  expect_gt(length(joint), 2)
  expect_lt(max(pre), min(joint))
  # Each stage is its own bar: its own line.
  lines <- unlist(strsplit(paste(err, collapse = "\n"), "\n"))
  expect_false(any(grepl("pre-training", lines) & grepl("joint training", lines)))
  # The stage that ended before its last epoch says so (and gives no time left).
  expect_true(any(grepl("pre-training epoch [0-9]+/30 .*  [0-9]+:[0-9]{2}  \\(stopped early\\)$", draws)))
  expect_false(any(grepl("joint training.*stopped early", draws)))
  err_quiet <- capture.output(quiet <- fit(FALSE), type = "message")
  expect_false(any(grepl("scUniGP", err_quiet)))
  expect_identical(grn_edges(loud)$score, grn_edges(quiet)$score)
})

test_that("scunigp cell_features: the default leaves <= 1000 cells unchanged; fewer components are used and reported", {
  d <- scunigp_subset(100)  # 421 cells
  run <- function(k) infer_grn(d$expr, tiny_scunigp(epochs = 2, pretrain_epochs = 1, seed = 1, cell_features = k),
                               tfs = d$tfs, train = d$train, validation = d$validation, verbose = FALSE)
  full <- run(Inf)
  expect_identical(grn_edges(run(1000)), grn_edges(full))
  expect_identical(igraph::graph_attr(full, "fit")$input_features, ncol(d$expr))
  red <- run(25)
  fit <- igraph::graph_attr(red, "fit")
  expect_identical(fit$input_features, 25L)
  expect_true(fit$cell_variance_kept > 0 && fit$cell_variance_kept < 1)
  e <- grn_edges(red)
  expect_true(all(is.finite(e$score) & e$score > 0 & e$score < 1))
  expect_false(isTRUE(all.equal(e$score, grn_edges(full)$score)))
})
