# InfoSEM-B / InfoSEM-BC through infer_grn(): priors, matching, labels, tuning.

is_small <- function() {
  ex <- grntorch_example()
  tr <- ex$split$train
  regs <- head(unique(tr$from[tr$label == 1]), 6)
  tgts <- unique(tr$to[tr$from %in% regs])
  genes <- unique(c(regs, head(ex$tfs, 10), tgts, rownames(ex$expression)))[1:50]
  list(expr = ex$expression[genes, 1:120], tfs = intersect(ex$tfs, genes), emb = ex$embeddings,
       train = subset(ex$split$train, from %in% genes & to %in% genes))
}
fast <- function(...) list(epochs = 6, seed = 7, threads = 1, ...)
scores_of <- function(g) {
  e <- grn_edges(g)
  e <- e[order(e$from, e$to), ]
  stats::setNames(e$score, paste(e$from, e$to))
}

test_that("infosem() validates its arguments and names them", {
  ex <- grntorch_example()
  expect_error(infosem(), class = "grntorch_error", regexp = "`embeddings`")
  expect_error(infosem(embeddings = unname(ex$embeddings)), regexp = "`embeddings`.*gene names")
  expect_error(infosem(ex$embeddings, sigma_w = -1), regexp = "`sigma_w`")
  expect_error(infosem(ex$embeddings, sigma_l = 0), regexp = "`sigma_l`")
  expect_error(infosem(ex$embeddings, rank = 0), regexp = "`rank`")
  expect_error(infosem(ex$embeddings, prior_edges = data.frame(a = 1)), regexp = "`prior_edges`.*lacks")
  expect_error(infosem(ex$embeddings, prior_edges = data.frame(from = "A", to = "B", label = 2)), regexp = "`prior_edges`")
  expect_error(infosem(ex$embeddings, epochs = 0), regexp = "`epochs`")
  expect_error(infosem(ex$embeddings, sigmaw = 1), regexp = "sigmaw")
  expect_error(infosem(ex$embeddings, parametrization = "both"), class = "grntorch_error", regexp = "`parametrization`")
  expect_identical(infosem(ex$embeddings)$params$parametrization, "centred")
  m <- infosem(ex$embeddings, seed = 1)
  expect_s3_class(m, "grn_method")
  expect_identical(m$name, "infosem-b")
  expect_identical(infosem(ex$embeddings, prior_edges = ex$split$train[1:5, ], seed = 1)$name, "infosem-bc")
  expect_identical(.resolve_method("infosem", embeddings = ex$embeddings, seed = 1)$name, "infosem-b")
})

test_that("sigma_w = 0 (w fixed at 0) gives DeepSEM's network exactly", {
  d <- is_small()
  g_ds <- infer_grn(d$expr, do.call(deepsem, fast()), tfs = d$tfs, verbose = FALSE)
  g_is <- infer_grn(d$expr, do.call(infosem, c(list(embeddings = d$emb, sigma_w = 0), fast())), tfs = d$tfs, verbose = FALSE)
  expect_identical(scores_of(g_is), scores_of(g_ds))
  # a learned w changes the network
  g_b <- infer_grn(d$expr, do.call(infosem, c(list(embeddings = d$emb, sigma_w = 10), fast(lr_adj = 1e-3))),
                   tfs = d$tfs, verbose = FALSE)
  fit <- igraph::graph_attr(g_b, "fit")
  expect_gt(sum(abs(unlist(fit$w_regulator))) + sum(abs(unlist(fit$w_target))), 0)
  expect_false(identical(scores_of(g_b), scores_of(g_ds)))
  e <- grn_edges(g_b)
  expect_true(all(e$from %in% d$tfs))
  expect_true(all(is.finite(e$score)))
})

test_that("the offset parametrisation fits, differs from the centred one and keeps DeepSEM at sigma_w = 0", {
  d <- is_small()
  run <- function(...) infer_grn(d$expr, do.call(infosem, c(list(embeddings = d$emb, ...), fast(lr_adj = 1e-3))),
                                 tfs = d$tfs, verbose = FALSE)
  g_off <- run(sigma_w = 10, parametrization = "offset")
  g_cen <- run(sigma_w = 10, parametrization = "centred")
  expect_true(all(is.finite(scores_of(g_off))))
  expect_false(identical(scores_of(g_off), scores_of(g_cen)))
  fit <- igraph::graph_attr(g_off, "fit")
  expect_identical(fit$parametrization, "offset")
  expect_gt(sum(abs(unlist(fit$w_regulator))), 0)
  # w fixed at 0: both coordinates are DeepSEM itself
  g0 <- run(sigma_w = 0, parametrization = "offset")
  g_ds <- infer_grn(d$expr, do.call(deepsem, fast(lr_adj = 1e-3)), tfs = d$tfs, verbose = FALSE)
  expect_identical(scores_of(g0), scores_of(g_ds))
})

test_that("embedding rows are matched by name whatever their order or case", {
  d <- is_small()
  m1 <- do.call(infosem, c(list(embeddings = d$emb, sigma_w = 10), fast(lr_adj = 1e-3)))
  set.seed(11)
  shuffled <- d$emb[sample(nrow(d$emb)), ]
  rownames(shuffled) <- tolower(rownames(shuffled))
  m2 <- do.call(infosem, c(list(embeddings = shuffled, sigma_w = 10), fast(lr_adj = 1e-3)))
  g1 <- infer_grn(d$expr, m1, tfs = d$tfs, verbose = FALSE)
  g2 <- infer_grn(d$expr, m2, tfs = d$tfs, verbose = FALSE)
  expect_identical(scores_of(g2), scores_of(g1))
})

test_that("a mismatch between embedding genes and expression genes is reported, not crashed on", {
  d <- is_small()
  genes <- rownames(d$expr)
  part <- d$emb[setdiff(rownames(d$emb), genes[1:5]), ]            # 5 genes lack an embedding
  part <- rbind(part, EXTRA1 = 1, EXTRA2 = 2)                      # and some extra genes
  m <- do.call(infosem, c(list(embeddings = part), fast()))
  expect_message(g <- infer_grn(d$expr, m, tfs = d$tfs, verbose = TRUE), "45 of 50 genes matched")
  expect_setequal(igraph::graph_attr(g, "fit")$missing_embeddings, genes[1:5])
  expect_gt(igraph::ecount(g), 0)
  # most genes missing: a warning; none matching: a clear error naming `embeddings`
  few <- d$emb[genes[1:10], ]
  expect_warning(infer_grn(d$expr, do.call(infosem, c(list(embeddings = few), fast())), tfs = d$tfs, verbose = FALSE),
                 class = "grntorch_embedding_mismatch")
  none <- d$emb[1:5, ]
  rownames(none) <- paste0("NOPE", 1:5)
  expect_error(infer_grn(d$expr, do.call(infosem, c(list(embeddings = none), fast())), tfs = d$tfs, verbose = FALSE),
               class = "grntorch_error", regexp = "`embeddings`")
  expect_error(infer_grn(d$expr, do.call(infosem, c(list(embeddings = none, missing = "error"), fast())),
                         tfs = d$tfs, verbose = FALSE), regexp = "`embeddings`")
})

test_that("InfoSEM-BC uses the known pairs as a prior on the logits only", {
  d <- is_small()
  tr <- d$train
  expect_gt(sum(tr$label == 1), 5)
  m <- do.call(infosem, c(list(embeddings = d$emb, prior_edges = tr, sigma_l = 0.1, lr_logit = 1e-2), fast()))
  g <- infer_grn(d$expr, m, tfs = d$tfs, verbose = FALSE)
  e <- grn_edges(g)
  expect_true("prob" %in% names(e))
  key <- paste(e$from, e$to)
  p_pos <- e$prob[match(paste(tr$from, tr$to)[tr$label == 1], key)]
  p_neg <- e$prob[match(paste(tr$from, tr$to)[tr$label == 0], key)]
  expect_gt(mean(p_pos, na.rm = TRUE), mean(p_neg, na.rm = TRUE) + 0.2)
  expect_identical(igraph::graph_attr(g, "fit")$model, "InfoSEM-BC")
  expect_identical(igraph::graph_attr(g, "fit")$parametrization, "centred")
  # the same through infer_grn(train = ) with prior_edges = "train"
  m2 <- do.call(infosem, c(list(embeddings = d$emb, prior_edges = "train", sigma_l = 0.1, lr_logit = 1e-2), fast()))
  g2 <- infer_grn(d$expr, m2, tfs = d$tfs, train = tr, verbose = FALSE)
  expect_identical(scores_of(g2), scores_of(g))
  expect_error(infer_grn(d$expr, m2, tfs = d$tfs, verbose = FALSE), regexp = "`prior_edges`")
  # pairs naming unknown genes are dropped with a report
  tr2 <- rbind(tr, data.frame(from = "NOT_A_GENE", to = tr$to[1], label = 1L))
  m3 <- do.call(infosem, c(list(embeddings = d$emb, prior_edges = tr2, sigma_l = 0.1, lr_logit = 1e-2), fast()))
  expect_message(infer_grn(d$expr, m3, tfs = d$tfs, verbose = TRUE), "1 of .* pairs dropped")
})

test_that("tune = TRUE chooses sigma_w / sigma_l from the grid on the training labels", {
  d <- is_small()
  grid <- list(sigma_w = c(0.1, 10), sigma_l = c(0.1, 1))
  m <- do.call(infosem, c(list(embeddings = d$emb, prior_edges = "train", tune = TRUE, tune_grid = grid,
                               tune_epochs = 3), fast()))
  g <- infer_grn(d$expr, m, tfs = d$tfs, train = d$train, verbose = FALSE)
  tu <- igraph::graph_attr(g, "fit")$tune
  expect_true(tu$sigma_w %in% grid$sigma_w)
  expect_true(tu$sigma_l %in% grid$sigma_l)
  expect_identical(nrow(tu$grid_w), 2L)
  expect_true(all(is.finite(tu$grid_w$ap)))
  expect_identical(igraph::graph_attr(g, "fit")$sigma_w, tu$sigma_w)
  # InfoSEM-B tuning needs labels
  mb <- do.call(infosem, c(list(embeddings = d$emb, tune = TRUE, tune_grid = grid, tune_epochs = 2), fast()))
  expect_error(infer_grn(d$expr, mb, tfs = d$tfs, verbose = FALSE), regexp = "`tune`")
})

test_that("embeddings are centred with an intercept by default and used as given with intercept = FALSE", {
  emb <- matrix(c(1, 2, 3, 4, 5, 6) + 10, 3, 2, dimnames = list(c("a", "b", "c"), NULL))
  h1 <- grntorch:::.infosem_embeddings(emb, c("c", "a", "b"), "mean", FALSE)
  expect_identical(colnames(h1)[3], "intercept")
  expect_equal(unname(colMeans(h1[, 1:2])), c(0, 0))
  expect_equal(mean(rowSums(h1[, 1:2]^2)), 1)
  expect_equal(unname(h1[, "intercept"]), rep(1, 3))
  h0 <- grntorch:::.infosem_embeddings(emb, c("c", "a", "b"), "mean", FALSE, intercept = FALSE)
  expect_identical(ncol(h0), 2L)
  expect_equal(mean(rowSums(h0^2)), 1)
  # uncentred: proportional to the rows as given, in the expression's gene order
  expect_equal(as.vector(h0 / h0[1, 1]), as.vector(emb[c("c", "a", "b"), ] / emb["c", 1]))
  expect_error(infosem(emb, intercept = NA), regexp = "`intercept`")
})
