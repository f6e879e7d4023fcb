test_that("simulate_grn plants 1-3 TF regulators per target, as documented", {
  sim <- simulate_grn(n_genes = 300, n_cells = 400, tf_fraction = 0.2, regulators = c(1, 3), seed = 5)
  expect_identical(dim(sim$expression), c(300L, 400L))
  expect_length(sim$tfs, 60L)
  expect_true(all(sim$truth$from %in% sim$tfs))
  expect_false(any(sim$truth$to %in% sim$tfs))
  k <- table(sim$truth$to)
  expect_identical(length(k), 240L)
  expect_true(all(k >= 1 & k <= 3))
  expect_true(all(abs(sim$truth$weight) >= 0.5 & abs(sim$truth$weight) <= 1.5))
  expect_false(anyDuplicated(paste(sim$truth$from, sim$truth$to)) > 0)
  expect_true(all(apply(sim$expression, 1, min) == 0))
})

test_that("simulate_grn's noise is the targets' noise-to-signal ratio", {
  for (noise in c(0.5, 2)) {
    sim <- simulate_grn(n_genes = 120, n_cells = 4000, noise = noise, seed = 2)
    x <- sim$expression
    r2 <- vapply(unique(sim$truth$to)[1:30], function(t) {
      regs <- sim$truth$from[sim$truth$to == t]
      summary(stats::lm(x[t, ] ~ t(x[regs, , drop = FALSE])))$r.squared
    }, numeric(1))
    expect_equal(mean(r2), 1 / (1 + noise^2), tolerance = 0.05)
  }
})

test_that("simulate_grn is reproducible and leaves the caller's random state alone", {
  set.seed(99)
  before <- .Random.seed
  a <- simulate_grn(n_genes = 50, n_cells = 30, seed = 3)
  expect_identical(.Random.seed, before)
  expect_identical(a, simulate_grn(n_genes = 50, n_cells = 30, seed = 3))
  expect_false(identical(a$expression, simulate_grn(n_genes = 50, n_cells = 30, seed = 4)$expression))
})

test_that("cell states correlate the TFs; dropout zeroes about that fraction", {
  iid <- simulate_grn(n_genes = 100, n_cells = 600, seed = 1)
  st <- simulate_grn(n_genes = 100, n_cells = 600, states = 4, seed = 1)
  off <- function(x) { r <- cor(t(x)); mean(abs(r[upper.tri(r)])) }
  expect_identical(sort(unique(st$state)), 1:4)
  expect_gt(off(st$expression[st$tfs, ]), 3 * off(iid$expression[iid$tfs, ]))
  dr <- simulate_grn(n_genes = 100, n_cells = 600, dropout = 0.3, seed = 1)
  expect_equal(mean(dr$expression == 0), 0.3, tolerance = 0.03)
})

test_that("Pearson recovers a planted linear network, as a model using the expression must", {
  sim <- simulate_grn(n_genes = 200, n_cells = 500, seed = 7)
  g <- infer_grn(sim$expression, "pearson", tfs = sim$tfs, verbose = FALSE)
  ev <- evaluate_grn(g, sim$truth)
  cat(sprintf("\nplanted network (200 genes x 500 cells): Pearson AUROC %.3f\n", ev[["auroc"]]))
  expect_gt(ev[["auroc"]], 0.95)
})

test_that("simulate_grn rejects bad settings, naming the argument", {
  expect_error(simulate_grn(n_genes = 5), class = "grntorch_argument_error", regexp = "n_genes")
  expect_error(simulate_grn(regulators = c(3, 1)), class = "grntorch_argument_error", regexp = "regulators")
  expect_error(simulate_grn(n_genes = 20, tf_fraction = 0.1, regulators = c(1, 5)), class = "grntorch_argument_error",
               regexp = "regulators")
  expect_error(simulate_grn(noise = -1), class = "grntorch_argument_error", regexp = "noise")
  expect_error(simulate_grn(dropout = 1), class = "grntorch_argument_error", regexp = "dropout")
})

test_that("the planted-network check: Pearson far above a degree-only model, degree baseline beside it", {
  sim <- simulate_grn(n_genes = 200, n_cells = 300, seed = 1)
  res <- benchmark_grn(list(planted = sim), list("pearson", lr = onehot_lr(cs = 1, folds = 2)),
                       schemes = "genelink_specific", seeds = 1, verbose = FALSE)
  s <- summary(res, metric = "auroc")
  auc <- stats::setNames(s$mean, s$method)
  cat(sprintf("\nplanted check (200 x 300): Pearson %.3f, one-hot LR %.3f, degree %.3f\n",
              auc[["pearson"]], auc[["lr"]], auc[["degree"]]))
  expect_setequal(names(auc), c("pearson", "lr", "degree"))
  expect_gt(auc[["pearson"]], 0.95)
  expect_lt(auc[["lr"]], 0.7)
  expect_lt(auc[["degree"]], 0.7)
})
