# Trivial baselines (InfoSEM appendix D): they use no expression at all.
#   random      - uniform random scores;
#   one-hot LR  - logistic regression on one-hot(regulator) ++ one-hot(target),
#                 L2 strength chosen by cross-validation on the training pairs;
#   MatComp     - low-rank completion of the partially observed label matrix.
# Plain R (sparse Newton / alternating least squares): the problems are small
# (hundreds of genes) and need no LibTorch.

#' Random baseline
#'
#' Scores every candidate pair with an independent uniform random number in
#' (0, 1].  Its expected AUPRC and Hit@k are the test density: the level any
#' informative model must beat.
#'
#' @templateVar seed_of the random scores
#' @template param-seed
#' @template param-dots
#' @return A `grn_method` parameter object for [infer_grn()]; also available
#'   as `infer_grn(x, "random")`.
#' @seealso [onehot_lr()], [matcomp()], [benchmark_grn()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, random_baseline(seed = 1), tfs = ex$tfs, top = 1000)
#' head(grn_edges(g), 3)
#' @md
#' @export
random_baseline <- function(seed = 1L, ...) {
  .check_dots("random_baseline", ...)
  seed <- .check_seed(seed)
  new_grn_method("random", list(seed = seed), subclass = "grn_random", label = "random")
}

#' @noRd
.fit_method.grn_random <- function(method, data) {
  regs <- data$regulators
  genes <- rownames(data$expr)
  s <- .with_seed(method$params$seed, stats::runif(length(regs) * length(genes)))
  s[s == 0] <- 1
  list(scores = matrix(s, length(regs), length(genes), dimnames = list(regs, genes)))
}

#' One-hot logistic regression baseline
#'
#' The trivial supervised baseline of InfoSEM (appendix D): a logistic
#' regression whose features are the one-hot code of the regulator
#' concatenated with the one-hot code of the target, i.e.
#' `logit P(edge) = b + u[regulator] + v[target]`, with an L2 penalty on `u`
#' and `v` (not on `b`).  The penalty strength `1 / C` is chosen by
#' `folds`-fold cross-validation (stratified by label) on the training pairs
#' only, by mean log-loss, from `C` in `cs`; the model is then refitted on
#' all training pairs.  It uses no expression: it can only learn how often
#' each gene has edges (the degree bias), so it scores genes absent from the
#' training pairs at the intercept.  Fitted by Newton's method on sparse
#' matrices.
#'
#' @param cs candidate inverse penalty strengths (scikit-learn's `C`).
#' @param folds number of cross-validation folds.
#' @templateVar seed_of the fold assignment
#' @template param-seed
#' @template param-dots
#' @return A supervised `grn_method` parameter object for [infer_grn()]
#'   (`train` required); also available as `infer_grn(x, "onehot_lr", ...)`.
#'   The chosen `C` is stored in the graph attribute `fit`.
#' @seealso [random_baseline()], [matcomp()], [split_edges()]
#' @examples
#' ex <- grntorch_example()
#' genes <- rownames(ex$expression)[1:300]   # a small slice keeps the example fast
#' tfs <- intersect(ex$tfs, genes)
#' truth <- ex$truth[ex$truth$from %in% genes & ex$truth$to %in% genes, ]
#' s <- split_edges(truth, "unseen_genes", tfs = tfs, genes = genes, seed = 1)
#' g <- infer_grn(ex$expression[genes, ], onehot_lr(cs = c(0.1, 1), folds = 2), tfs = tfs,
#'                train = s$train)
#' igraph::graph_attr(g, "fit")$C
#' evaluate_grn(g, s$test_seen)     # degree bias: far above the density
#' evaluate_grn(g, s$test_unseen)   # unseen genes: one constant score, the random level
#' @md
#' @export
onehot_lr <- function(cs = 10^seq(-3, 3), folds = 5L, seed = 1L, ...) {
  .check_dots("onehot_lr", ...)
  if (!is.numeric(cs) || !length(cs) || any(!is.finite(cs)) || any(cs <= 0)) .grn_abort("cs", "must be positive finite numbers")
  folds <- .check_scalar_int(folds, "folds", min = 2, max = 50)
  seed <- .check_seed(seed)
  new_grn_method("onehot_lr", list(cs = sort(cs), folds = folds, seed = seed), subclass = "grn_onehot_lr",
                 supervised = TRUE, label = "one-hot LR")
}

# Penalised logistic regression with design [1, onehot(from), onehot(to)].
#' @noRd
.onehot_design <- function(fi, ti, nf, nt) {
  n <- length(fi)
  Matrix::sparseMatrix(i = c(seq_len(n), seq_len(n), seq_len(n)), j = c(rep(1L, n), 1L + fi, 1L + nf + ti),
                       x = 1, dims = c(n, 1L + nf + nt))
}

#' @noRd
.logreg_newton <- function(X, y, C, beta = NULL, maxit = 50L, tol = 1e-8) {
  p <- ncol(X)
  pen <- c(0, rep(1 / C, p - 1L))
  if (is.null(beta)) beta <- c(stats::qlogis(min(max(mean(y), 1e-6), 1 - 1e-6)), rep(0, p - 1L))
  obj <- function(b) {
    eta <- as.vector(X %*% b)
    sum(pmax(eta, 0) - y * eta + log1p(exp(-abs(eta)))) + 0.5 * sum(pen * b^2)
  }
  f <- obj(beta)
  for (it in seq_len(maxit)) {
    eta <- as.vector(X %*% beta)
    mu <- stats::plogis(eta)
    w <- pmax(mu * (1 - mu), 1e-10)
    g <- as.vector(Matrix::crossprod(X, mu - y)) + pen * beta
    H <- Matrix::crossprod(X, X * w) + Matrix::Diagonal(p, pen + 1e-10)
    step <- as.vector(Matrix::solve(H, g))
    t <- 1
    repeat {
      nb <- beta - t * step
      nf <- obj(nb)
      if (nf <= f + 1e-12 * abs(f) || t < 1e-6) break
      t <- t / 2
    }
    done <- abs(f - nf) <= tol * (abs(f) + 1)
    beta <- nb
    f <- nf
    if (done) break
  }
  beta
}

# The training pairs of a baseline as indices into their distinct
# regulators (fu) and targets (tu).
#' @noRd
.train_index <- function(data) {
  tr <- data$train
  fu <- unique(tr$from)
  tu <- unique(tr$to)
  list(regs = data$regulators, genes = rownames(data$expr), fu = fu, tu = tu,
       fi = match(tr$from, fu), ti = match(tr$to, tu))
}

#' @noRd
.fit_method.grn_onehot_lr <- function(method, data) {
  p <- method$params
  d <- .train_index(data)
  regs <- d$regs; genes <- d$genes; fu <- d$fu; tu <- d$tu; fi <- d$fi; ti <- d$ti
  y <- data$train$label
  if (length(unique(y)) < 2L) .grn_abort("train", "needs both positive and negative pairs")
  X <- .onehot_design(fi, ti, length(fu), length(tu))
  # Stratified folds on the training pairs only.
  fold <- .with_seed(p$seed, {
    f <- integer(length(y))
    for (cl in 0:1) {
      idx <- which(y == cl)
      f[idx] <- sample(rep_len(seq_len(p$folds), length(idx)))
    }
    f
  })
  cv <- matrix(NA_real_, p$folds, length(p$cs))
  for (k in seq_len(p$folds)) {
    tr_i <- fold != k
    beta <- NULL
    for (jj in seq_along(p$cs)) {     # cs ascending: strong to weak penalty, warm starts
      beta <- .logreg_newton(X[tr_i, , drop = FALSE], y[tr_i], p$cs[jj], beta)
      eta <- as.vector(X[!tr_i, , drop = FALSE] %*% beta)
      yy <- y[!tr_i]
      cv[k, jj] <- mean(pmax(eta, 0) - yy * eta + log1p(exp(-abs(eta))))
    }
    if (isTRUE(data$verbose)) message(sprintf("onehot_lr: fold %d/%d", k, p$folds))
  }
  best <- which.min(colMeans(cv))
  C <- p$cs[best]
  beta <- .logreg_newton(X, y, C)
  u <- beta[1L + seq_along(fu)]
  v <- beta[1L + length(fu) + seq_along(tu)]
  ur <- u[match(regs, fu)]; ur[is.na(ur)] <- 0
  vg <- v[match(genes, tu)]; vg[is.na(vg)] <- 0
  s <- stats::plogis(outer(beta[1] + ur, vg, "+"))
  dimnames(s) <- list(regs, genes)
  list(scores = s, info = list(C = C, cv_logloss = stats::setNames(colMeans(cv), format(p$cs)), intercept = beta[1]))
}

#' Matrix-completion baseline
#'
#' The second trivial supervised baseline of InfoSEM (appendix D): complete
#' the partially observed regulator x target label matrix `Y` (1 = edge,
#' 0 = non-edge, unknown elsewhere; only the training pairs are observed) with
#' a low-rank model `Y[i, j] ~ mu + b[i] + c[j] + u[i] . v[j]` of rank `rank`
#' (128 by default, as the paper), fitted to the observed entries by L-BFGS
#' (squared error, L2 penalty `lambda / 2` on `u`, `v`, `b`, `c`; `mu` is the
#' mean training label).  Like fancyimpute's `MatrixFactorization`, which the paper
#' used, it has per-row and per-column biases, so it learns the degree bias of
#' the partial network; genes with no training pair get no bias and no factor
#' (they score `mu`).  Scores are reported as `plogis(6 * (yhat - 1/2))`, a
#' strictly increasing map of the completed value into (0, 1), so that
#' `weight = |score|` ranks pairs like the completed matrix.  `lambda` is chosen from `lambdas` on a random 10% of
#' the training pairs held out (training pairs only), then the model is
#' refitted on all of them.
#'
#' @param rank rank of the factorisation.
#' @param lambdas candidate L2 penalties.
#' @param iterations maximum L-BFGS iterations per fit.
#' @templateVar seed_of the initial factors and the hold-out
#' @template param-seed
#' @template param-dots
#' @return A supervised `grn_method` parameter object for [infer_grn()]
#'   (`train` required); also available as `infer_grn(x, "matcomp", ...)`.
#' @seealso [random_baseline()], [onehot_lr()], [split_edges()]
#' @examples
#' ex <- grntorch_example()
#' genes <- rownames(ex$expression)[1:300]   # a small slice keeps the example fast
#' tfs <- intersect(ex$tfs, genes)
#' truth <- ex$truth[ex$truth$from %in% genes & ex$truth$to %in% genes, ]
#' s <- split_edges(truth, "unseen_genes", tfs = tfs, genes = genes, seed = 1)
#' g <- infer_grn(ex$expression[genes, ], matcomp(rank = 8, lambdas = 1, iterations = 50),
#'                tfs = tfs, train = s$train)
#' evaluate_grn(g, s$test_seen)
#' @md
#' @export
matcomp <- function(rank = 128L, lambdas = c(0.1, 1, 10), iterations = 100L, seed = 1L, ...) {
  .check_dots("matcomp", ...)
  rank <- .check_scalar_int(rank, "rank", min = 1, max = 10000)
  if (!is.numeric(lambdas) || !length(lambdas) || any(!is.finite(lambdas)) || any(lambdas < 0)) .grn_abort("lambdas", "must be non-negative finite numbers")
  iterations <- .check_scalar_int(iterations, "iterations", min = 1, max = 10000)
  seed <- .check_seed(seed)
  new_grn_method("matcomp", list(rank = rank, lambdas = lambdas, iterations = iterations, seed = seed),
                 subclass = "grn_matcomp", supervised = TRUE, label = "matrix completion")
}

# Low-rank completion with biases: Y[i, j] ~ mu + b[i] + c[j] + U[i, ] . V[j, ]
# fitted to the observed entries (mask M) by L-BFGS on the dense
# (observed regulators x observed targets) block: squared error + lambda/2 * L2.
#' @noRd
.mc_fit <- function(i, j, y, nr, nc, rank, lambda, maxit, seed) {
  mu <- mean(y)
  Y <- matrix(0, nr, nc); M <- matrix(0, nr, nc)
  Y[cbind(i, j)] <- y - mu
  M[cbind(i, j)] <- 1
  nu <- nr * rank; nv <- nc * rank
  unpack <- function(th) list(U = matrix(th[seq_len(nu)], nr), V = matrix(th[nu + seq_len(nv)], nc),
                              b = th[nu + nv + seq_len(nr)], c = th[nu + nv + nr + seq_len(nc)])
  resid <- function(p) M * (tcrossprod(p$U, p$V) + outer(p$b, p$c, "+") - Y)
  fn <- function(th) {
    p <- unpack(th)
    0.5 * sum(resid(p)^2) + 0.5 * lambda * sum(th^2)
  }
  gr <- function(th) {
    p <- unpack(th)
    R <- resid(p)
    c(R %*% p$V, crossprod(R, p$U), rowSums(R), colSums(R)) + lambda * th
  }
  th0 <- .with_seed(seed, c(stats::rnorm(nu + nv, sd = 0.1), numeric(nr + nc)))
  o <- stats::optim(th0, fn, gr, method = "L-BFGS-B", control = list(maxit = maxit, factr = 1e7))
  p <- unpack(o$par)
  list(mu = mu, U = p$U, V = p$V, b = p$b, c = p$c, rank = rank, value = o$value, iterations = o$counts[["function"]])
}

#' @noRd
.mc_predict <- function(fit, i, j) {
  fit$mu + fit$b[i] + fit$c[j] + rowSums(fit$U[i, , drop = FALSE] * fit$V[j, , drop = FALSE])
}

#' @noRd
.fit_method.grn_matcomp <- function(method, data) {
  p <- method$params
  d <- .train_index(data)
  regs <- d$regs; genes <- d$genes; fu <- d$fu; tu <- d$tu; fi <- d$fi; ti <- d$ti
  y <- as.double(data$train$label)
  lambda <- p$lambdas[1]
  holdout_err <- NULL
  if (length(p$lambdas) > 1L) {
    ho <- .with_seed(p$seed + 1L, stats::runif(length(y)) < 0.1)
    holdout_err <- vapply(p$lambdas, function(l) {
      f <- .mc_fit(fi[!ho], ti[!ho], y[!ho], length(fu), length(tu), p$rank, l, p$iterations, p$seed)
      mean((.mc_predict(f, fi[ho], ti[ho]) - y[ho])^2)
    }, 0)
    lambda <- p$lambdas[which.min(holdout_err)]
  }
  fit <- .mc_fit(fi, ti, y, length(fu), length(tu), p$rank, lambda, p$iterations, p$seed)
  ri <- match(regs, fu); gj <- match(genes, tu)
  Ur <- matrix(0, length(regs), p$rank); Ur[!is.na(ri), ] <- fit$U[ri[!is.na(ri)], ]
  Vg <- matrix(0, length(genes), p$rank); Vg[!is.na(gj), ] <- fit$V[gj[!is.na(gj)], ]
  br <- numeric(length(regs)); br[!is.na(ri)] <- fit$b[ri[!is.na(ri)]]
  cg <- numeric(length(genes)); cg[!is.na(gj)] <- fit$c[gj[!is.na(gj)]]
  s <- fit$mu + outer(br, cg, "+") + tcrossprod(Ur, Vg)
  # Strictly increasing map into (0, 1): |score| then ranks like the completed value.
  s <- stats::plogis(6 * (s - 0.5))
  dimnames(s) <- list(regs, genes)
  list(scores = s, info = list(lambda = lambda, holdout_mse = holdout_err, mu = fit$mu))
}

#' Degree baseline: the target's training degree
#'
#' The supervised baseline every supervised figure should sit beside: it uses
#' no expression, only how many training positives each gene has.  With
#' \eqn{d_t(j)} the number of positive `train` pairs (label 1, each distinct
#' pair once) with gene \eqn{j} as target and \eqn{d_r(i)} those with \eqn{i}
#' as regulator,
#' \deqn{score(i \to j) = d_t(j) + w \, (d_r(i) + 1), \quad w = 1 / (\max_i d_r(i) + 2)}
#' so the regulator term (always below 1) only breaks ties between targets
#' of equal degree, and every pair has a positive score (pairs of genes
#' without training positives tie at the lowest levels).  Within one network
#' (e.g. the BEELINE splits) this alone reaches a high AUROC, because the
#' test pairs of a gene with many training edges are mostly positive: a
#' supervised model is only learning more than the degree bias if it beats
#' this.  [benchmark_grn()] adds it to every supervised run (argument
#' `degree_baseline`).
#'
#' @param tie_weight the weight `w` of the regulator term; `NULL` (default)
#'   for the tie-breaking value above.
#' @template param-dots
#' @return A supervised `grn_method` parameter object for [infer_grn()]
#'   (`train` required); also available as `infer_grn(x, "degree", ...)`.
#'   The graph attribute `fit` holds `tie_weight` and the degrees.
#' @seealso [onehot_lr()] (the same degree information through a logistic
#'   regression), [benchmark_grn()], [training_pairs()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, degree_baseline(), tfs = ex$tfs, train = ex$split$train)
#' evaluate_grn(g, ex$split$test)    # within-network test pairs: far above 0.5
#' @md
#' @export
degree_baseline <- function(tie_weight = NULL, ...) {
  .check_dots("degree_baseline", ...)
  if (!is.null(tie_weight)) tie_weight <- .check_scalar_num(tie_weight, "tie_weight", min = 0)
  new_grn_method("degree", list(tie_weight = tie_weight), subclass = "grn_degree", supervised = TRUE, label = "degree")
}

#' @noRd
.fit_method.grn_degree <- function(method, data) {
  regs <- data$regulators
  genes <- rownames(data$expr)
  pos <- data$train[data$train$label == 1L, c("from", "to"), drop = FALSE]
  pos <- pos[!duplicated(pos) & pos$from != pos$to, , drop = FALSE]
  dt <- tabulate(match(pos$to, genes), length(genes))
  dr <- tabulate(match(pos$from, regs), length(regs))
  w <- method$params$tie_weight
  if (is.null(w)) w <- 1 / (max(c(dr, 0)) + 2)
  s <- outer(w * (dr + 1), as.double(dt), "+")
  dimnames(s) <- list(regs, genes)
  list(scores = s, info = list(tie_weight = w, target_degree = stats::setNames(dt, genes),
                               regulator_degree = stats::setNames(dr, regs)))
}

# The planners of the baselines: R code on the regulators x genes grid.
#' @noRd
.plan_method.grn_random <- function(method, dims) {
  list(bytes = 24 * dims$regulators * dims$genes, epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 5e-8 * dims$regulators * dims$genes, advice = c("tfs", "top"))
}

#' @noRd
.plan_method.grn_onehot_lr <- function(method, dims) {
  list(bytes = 48 * dims$regulators * dims$genes + 400 * dims$n_train,
       epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 2e-7 * dims$regulators * dims$genes + 1e-5 * dims$n_train, advice = c("genes", "tfs", "top"))
}

#' @noRd
.plan_method.grn_matcomp <- function(method, dims) {
  list(bytes = 48 * dims$regulators * dims$genes, epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 1e-6 * dims$regulators * dims$genes, advice = c("genes", "tfs", "top"))
}
