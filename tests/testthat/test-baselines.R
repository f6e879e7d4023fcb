# Trivial baselines: random, one-hot LR, matrix completion (no expression used).

toy_expr <- function(genes, n_cells = 5, seed = 1) {
  set.seed(seed)
  matrix(rnorm(length(genes) * n_cells), length(genes), dimnames = list(genes, paste0("c", seq_len(n_cells))))
}

test_that("random baseline: reproducible from its seed, independent of the expression", {
  genes <- paste0("G", 1:30)
  x <- toy_expr(genes)
  g1 <- infer_grn(x, "random", tfs = genes[1:5], seed = 7)
  g2 <- infer_grn(toy_expr(genes, seed = 2), random_baseline(seed = 7), tfs = genes[1:5])
  g3 <- infer_grn(x, random_baseline(seed = 8), tfs = genes[1:5])
  e1 <- grn_edges(g1); e2 <- grn_edges(g2); e3 <- grn_edges(g3)
  expect_equal(nrow(e1), 5 * 29)
  expect_equal(e1, e2)
  expect_false(isTRUE(all.equal(e1$score, e3$score[match(paste(e1$from, e1$to), paste(e3$from, e3$to))])))
  expect_true(all(e1$score > 0 & e1$score <= 1))
})

test_that("penalised Newton fit equals a direct optimisation of the same objective", {
  set.seed(3)
  n <- 400
  fi <- sample(6, n, TRUE); ti <- sample(9, n, TRUE)
  y <- rbinom(n, 1, plogis(-1 + 0.8 * (fi <= 2) - 0.5 * (ti >= 7)))
  X <- grntorch:::.onehot_design(fi, ti, 6, 9)
  C <- 0.7
  b <- grntorch:::.logreg_newton(X, y, C)
  Xd <- as.matrix(X)
  obj <- function(w) { eta <- Xd %*% w; sum(log1p(exp(eta)) - y * eta) + sum(w[-1]^2) / (2 * C) }
  grad <- function(w) { mu <- plogis(Xd %*% w); as.vector(crossprod(Xd, mu - y)) + c(0, w[-1] / C) }
  o <- optim(rep(0, ncol(Xd)), obj, grad, method = "BFGS", control = list(reltol = 1e-14, maxit = 1000))
  expect_equal(b, o$par, tolerance = 1e-5)
})

test_that("one-hot LR learns per-gene degree bias and scores unseen genes at the intercept", {
  genes <- c(paste0("T", 1:4), paste0("G", 1:40))
  x <- toy_expr(genes)
  set.seed(5)
  tr <- expand.grid(from = paste0("T", 1:3), to = paste0("G", 1:30), stringsAsFactors = FALSE)
  p <- c(T1 = 0.9, T2 = 0.5, T3 = 0.1)[tr$from]
  tr$label <- rbinom(nrow(tr), 1, p)
  g <- infer_grn(x, onehot_lr(cs = c(0.01, 1, 100), folds = 3), tfs = genes[1:4], train = tr)
  e <- grn_edges(g)
  m <- tapply(e$score, e$from, mean)
  expect_true(m[["T1"]] > m[["T2"]] && m[["T2"]] > m[["T3"]])
  fit <- igraph::graph_attr(g, "fit")
  expect_true(fit$C %in% c(0.01, 1, 100))
  # T4 and G31..G40 never appear in training: T4 -> G35 scores exactly plogis(intercept).
  expect_equal(e$score[e$from == "T4" & e$to == "G35"], plogis(fit$intercept))
  # The same training pairs with other expression give the same network.
  g2 <- infer_grn(toy_expr(genes, seed = 9), onehot_lr(cs = c(0.01, 1, 100), folds = 3), tfs = genes[1:4], train = tr)
  expect_equal(grn_edges(g2)$score, e$score)
  expect_error(infer_grn(x, "onehot_lr", tfs = genes[1:4]), "`train`")
})

test_that("matrix completion recovers a held-out low-rank structure with biases", {
  set.seed(2)
  regs <- paste0("R", 1:15); tg <- paste0("G", 1:60)
  genes <- c(regs, tg)
  P <- plogis(outer(rnorm(15), rnorm(60)) * 2 + outer(rnorm(15), rep(1, 60)))
  Y <- matrix(rbinom(length(P), 1, P), 15, dimnames = list(regs, tg))
  all <- data.frame(from = rep(regs, 60), to = rep(tg, each = 15), label = as.vector(Y), stringsAsFactors = FALSE)
  obs <- runif(nrow(all)) < 0.7
  g <- infer_grn(toy_expr(genes), matcomp(rank = 4, lambdas = c(1, 10), iterations = 200), tfs = regs, train = all[obs, ])
  ev <- evaluate_grn(g, all[!obs, ])
  expect_gt(ev$auroc, 0.7)
  expect_true(igraph::graph_attr(g, "fit")$lambda %in% c(1, 10))
})

test_that("on the real unseen-genes split, LR and MatComp beat random on test_seen and sit at random on test_unseen", {
  ex <- grntorch_example()
  s <- split_edges(ex$truth, "unseen_genes", tfs = ex$tfs, genes = rownames(ex$expression), seed = 1)
  lr <- infer_grn(ex$expression, onehot_lr(cs = c(0.1, 10), folds = 2), tfs = ex$tfs, train = s$train)
  mc <- infer_grn(ex$expression, matcomp(rank = 16, lambdas = 10, iterations = 100), tfs = ex$tfs, train = s$train)
  for (g in list(lr, mc)) {
    seen <- evaluate_grn(g, s$test_seen)
    unseen <- evaluate_grn(g, s$test_unseen)
    expect_gt(seen$average_precision, seen$density + 0.2)
    expect_equal(unseen$average_precision, unseen$density, tolerance = 1e-9)   # one constant score: exactly random
    expect_equal(unseen$hit_1pct, unseen$density, tolerance = 1e-9)
  }
})
