# Plots (issue 18): every plot renders to a file without warnings, and the
# data behind it is right.  Needs ggplot2 (Suggests); the ggraph path needs
# ggraph, the fallback is forced with options(grntorch.plot_engine = "igraph").

skip_if_not_installed("ggplot2")

plot_example <- local({
  cache <- NULL
  function() {
    if (!is.null(cache)) return(cache)
    ex <- grntorch_example()
    g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
    g2 <- infer_grn(ex$expression, "spearman", tfs = ex$tfs)
    cache <<- list(ex = ex, g = g, g2 = g2)
    cache
  }
})

# A subset with its split: supervised fits in a second on one thread.
plot_subset <- function(n_genes = 160) {
  ex <- grntorch_example()
  keep <- rownames(ex$expression)[seq_len(n_genes)]
  sub <- function(p) p[p$from %in% keep & p$to %in% keep, , drop = FALSE]
  list(expr = ex$expression[keep, ], tfs = intersect(ex$tfs, keep), truth = sub(ex$truth),
       train = sub(ex$split$train), validation = sub(ex$split$validation), test = sub(ex$split$test))
}

# Draw `p` (a ggplot, or a function drawing with base graphics) into a png:
# no warnings, a non-empty file.
expect_renders <- function(p) {
  f <- tempfile(fileext = ".png")
  on.exit(unlink(f))
  if (is.function(p)) {
    expect_no_warning({
      grDevices::png(f, width = 700, height = 600)
      res <- tryCatch(p(), finally = grDevices::dev.off())
    })
  } else {
    expect_s3_class(p, "ggplot")
    expect_no_warning(ggplot2::ggsave(f, p, width = 7, height = 6, dpi = 60))
  }
  expect_gt(file.size(f), 1000)
  invisible(if (is.function(p)) res else p)
}

trapezoid <- function(x, y) sum(diff(x) * (head(y, -1) + tail(y, -1)) / 2)

test_that(".grn_curves: sklearn's points on a hand-worked case with ties", {
  score <- c(0.9, 0.8, 0.8, 0.5, 0.1, 0.1)
  label <- c(1, 0, 1, 0, 1, 0)
  cv <- grntorch:::.grn_curves(score, label)
  # start point, then one point per distinct score (0.9, 0.8, 0.5, 0.1)
  expect_equal(cv$threshold, c(Inf, 0.9, 0.8, 0.5, 0.1))
  expect_equal(cv$recall, c(0, 1, 2, 2, 3) / 3)
  expect_equal(cv$precision, c(1, 1, 2 / 3, 2 / 4, 3 / 6))
  expect_equal(cv$fpr, c(0, 0, 1, 2, 3) / 3)
  expect_identical(cv$tpr, cv$recall)
  # the areas are evaluate_grn()'s metrics (ties 1/2 in the ROC area)
  net <- data.frame(from = "R", to = paste0("G", 1:6), weight = score)
  truth <- data.frame(from = "R", to = paste0("G", 1:6), label = label)
  ev <- evaluate_grn(net, truth)
  expect_equal(trapezoid(cv$fpr, cv$tpr), ev$auroc, tolerance = 1e-12)
  expect_equal(trapezoid(cv$recall, cv$precision), ev$auprc, tolerance = 1e-12)
  expect_error(grntorch:::.grn_curves(c(1, 2), c(0, 0)), class = "grntorch_argument_error")
})

test_that("grn_curves() and evaluate_grn(curves =): endpoints, areas, thinning", {
  d <- plot_example()
  ex <- d$ex
  full <- grn_curves(d$g, ex$truth, tfs = ex$tfs, max_points = Inf)
  ev <- attr(full, "evaluation")
  expect_s3_class(ev, "grn_evaluation")
  expect_equal(ev$auroc, evaluate_grn(d$g, ex$truth, tfs = ex$tfs)$auroc)
  expect_equal(c(full$recall[1], full$precision[1], full$fpr[1]), c(0, 1, 0))
  expect_equal(c(tail(full$recall, 1), tail(full$fpr, 1)), c(1, 1))
  expect_equal(tail(full$precision, 1), ev$density)
  expect_false(is.unsorted(full$recall) || is.unsorted(full$fpr))
  expect_equal(trapezoid(full$fpr, full$tpr), ev$auroc, tolerance = 1e-6)
  expect_equal(trapezoid(full$recall, full$precision), ev$auprc, tolerance = 1e-6)
  # thinned: at most 2000 points, the same ends, areas within 1e-3
  ev2 <- evaluate_grn(d$g, ex$truth, tfs = ex$tfs, curves = TRUE)
  th <- attr(ev2, "curves")
  expect_gt(nrow(full), 2000)
  expect_lte(nrow(th), 2000)
  expect_equal(th[c(1, nrow(th)), c("recall", "precision", "fpr")],
               full[c(1, nrow(full)), c("recall", "precision", "fpr")], ignore_attr = TRUE)
  expect_equal(trapezoid(th$fpr, th$tpr), ev$auroc, tolerance = 1e-3)
  expect_equal(trapezoid(th$recall, th$precision), ev$auprc, tolerance = 1e-3)
  # the metrics are the same with and without curves; curves are kept by default (issue 36), none with FALSE
  expect_identical(attr(evaluate_grn(d$g, ex$truth, tfs = ex$tfs), "curves"), th)
  expect_null(attr(evaluate_grn(d$g, ex$truth, tfs = ex$tfs, curves = FALSE), "curves"))
  expect_equal(ev2$auprc, ev$auprc)
  expect_lte(nrow(attr(evaluate_grn(d$g, ex$truth, curves = 50), "curves")), 50)
  expect_error(evaluate_grn(d$g, ex$truth, curves = "yes"), class = "grntorch_argument_error")
  # a named list: one block per network
  two <- grn_curves(list(pearson = d$g, spearman = d$g2), ex$split$test, missing = 0)
  expect_identical(unique(two$network), c("pearson", "spearman"))
  expect_identical(attr(two, "evaluation")$network, c("pearson", "spearman"))
  expect_output(print(ev2), "grn_evaluation")
})

test_that("plot_pr(), plot_roc() and plot() of an evaluation render, with the random level", {
  d <- plot_example()
  ex <- d$ex
  p <- expect_renders(plot_pr(d$g, ex$truth, tfs = ex$tfs))
  b <- ggplot2::ggplot_build(p)
  dens <- evaluate_grn(d$g, ex$truth, tfs = ex$tfs)$density
  expect_equal(unique(b$data[[1]]$y), dens)        # the dashed random level at the density
  p <- expect_renders(plot_roc(list(pearson = d$g, spearman = d$g2), ex$truth, tfs = ex$tfs))
  b <- ggplot2::ggplot_build(p)
  expect_equal(range(b$data[[1]]$x), c(0, 1))      # the diagonal
  expect_equal(b$data[[1]]$x, b$data[[1]]$y)
  expect_length(unique(b$data[[3]]$colour), 2L)    # one colour per network
  expect_true(all(grepl("AUROC 0\\.", levels(p$data$curve))))
  expect_renders(plot_pr(list(pearson = d$g, spearman = d$g2), ex$split$test, missing = 0))
  ev <- evaluate_grn(d$g, ex$truth, tfs = ex$tfs, curves = TRUE)
  p <- expect_renders(plot(ev))
  expect_setequal(levels(p$data$panel), c("Precision-recall", "ROC"))
  expect_renders(plot_pr(list(a = ev, b = evaluate_grn(d$g2, ex$truth, tfs = ex$tfs, curves = TRUE))))
  # errors
  expect_error(plot(evaluate_grn(d$g, ex$truth, curves = FALSE)), "curves = FALSE", class = "grntorch_argument_error")
  expect_error(plot_pr(list(d$g, d$g2), ex$truth), "names", class = "grntorch_argument_error")
  expect_error(plot_pr(d$g), class = "grntorch_argument_error")   # no truth
  expect_error(plot_pr(d$g, ex$truth, bogus = 1), "unused arguments")   # the dots go to evaluate_grn()
  # tfs passes through: the universe shrinks to the truth's edges from those TFs
  few <- head(unique(ex$truth$from), 5)
  p5 <- plot_pr(d$g, ex$truth, tfs = few)
  expect_match(p5$labels$subtitle, format(evaluate_grn(d$g, ex$truth, tfs = few)$n_pairs, big.mark = ","), fixed = TRUE)
})

test_that("plot_grn() draws exactly `top` edges, fast, with ggraph and with the igraph fallback", {
  d <- plot_example()
  expect_gt(igraph::ecount(d$g), 600000)
  t0 <- proc.time()[["elapsed"]]
  sub <- grntorch:::.top_subgraph(d$g, 50)
  expect_lt(proc.time()[["elapsed"]] - t0, 10)
  expect_equal(igraph::ecount(sub), 50)
  top <- grn_edges(d$g, top = 50)
  expect_equal(igraph::as_data_frame(sub)[, c("from", "to", "rank")], top[, c("from", "to", "rank")],
               ignore_attr = TRUE)
  expect_identical(igraph::vertex_attr(sub, "is_tf"),
                   igraph::V(d$g)$is_tf[match(igraph::V(sub)$name, igraph::V(d$g)$name)])
  if (requireNamespace("ggraph", quietly = TRUE)) {
    p <- expect_renders(plot_grn(d$g, top = 30))
    b <- ggplot2::ggplot_build(p)
    expect_equal(nrow(b$data[[1]]), 30)                          # edges drawn
    expect_setequal(unique(b$data[[1]]$colour), c("#b2182b", "#2166ac"))   # signed correlations
    expect_setequal(unique(p$data$role), c("TF", "target"))
    expect_renders(plot_grn(d$g, top = 20, labels = "tfs", layout = "kk"))
  }
  op <- options(grntorch.plot_engine = "igraph")
  res <- tryCatch(expect_renders(function() plot_grn(d$g, top = 40)), finally = options(op))
  expect_equal(igraph::ecount(res), 40)
  expect_error(plot_grn(d$g, top = 0), class = "grntorch_argument_error")
  expect_error(plot_grn(data.frame()), class = "grntorch_argument_error")
})

test_that("plot_training(): DeepSEM loss terms, supervised validation AUROC and selected epoch, scUniGP stages", {
  s <- plot_subset()
  g <- infer_grn(s$expr, deepsem(epochs = 3, threads = 1), tfs = s$tfs, verbose = FALSE)
  fit <- igraph::graph_attr(g, "fit")
  expect_equal(rowSums(fit$loss_parts[[1]]), fit$loss[[1]], tolerance = 1e-4)   # the terms sum to the loss
  p <- expect_renders(plot_training(g))
  expect_setequal(levels(p$data$panel), c("loss", "loss term: mse", "loss term: kl", "loss term: sparse"))
  expect_equal(p$data$value[p$data$panel == "loss"], fit$loss[[1]])

  g <- infer_grn(s$expr, genelink(epochs = 4, threads = 1, select_best = TRUE), tfs = s$tfs, train = s$train,
                 validation = s$validation, verbose = FALSE)
  fit <- igraph::graph_attr(g, "fit")
  p <- expect_renders(plot_training(g))
  expect_true("validation AUROC" %in% p$data$panel)
  expect_equal(p$data$value[p$data$panel == "validation AUROC"], fit$val_auroc)
  b <- ggplot2::ggplot_build(p)
  expect_equal(unique(b$data[[1]]$xintercept), fit$best_epoch)   # the selected epoch marked

  g <- infer_grn(s$expr, genelink(epochs = 3, threads = 1, n_runs = 2), tfs = s$tfs, train = s$train,
                 validation = s$validation, verbose = FALSE)
  p <- expect_renders(plot_training(g))
  expect_setequal(levels(p$data$run), c("1", "2"))

  g <- infer_grn(s$expr, scunigp(d_model = 16, n_heads = 2, n_layers = 1, dim_feedforward = 32, gnn_dims = c(16, 8),
                                 tower_dims = c(8, 4), gat_heads = 2, batch_size = 128, epochs = 2,
                                 pretrain_epochs = 2, threads = 1),
                 tfs = s$tfs, train = s$train, validation = s$validation, verbose = FALSE)
  p <- expect_renders(plot_training(g))
  expect_setequal(as.character(unique(p$data$series)), c("GNN pre-training", "joint training"))
  expect_equal(max(p$data$epoch), 4)

  expect_error(plot_training(plot_example()$g), "no training record", class = "grntorch_no_training")
})

test_that("plot() of a benchmark: one bar per method, labelled panels, the random level", {
  s <- plot_subset()
  res <- benchmark_grn(list(mESC = list(expression = s$expr, tfs = s$tfs, truth = s$truth)),
                       list("random", "pearson", lr = onehot_lr(cs = 1, folds = 2)),
                       schemes = c("unseen_genes", "genelink_specific"), seeds = 1:2, verbose = FALSE)
  p <- expect_renders(plot(res))
  expect_identical(rev(levels(p$data$method)), c("random", "pearson", "lr", "degree"))  # first on top
  expect_true(all(grepl("^scheme: .*\ntest set: ", levels(p$data$panel_row))))
  expect_equal(nrow(p$data), 4 * 3)   # 4 methods x (2 + 1 test sets)
  p <- expect_renders(plot(res, metric = "auroc"))
  b <- ggplot2::ggplot_build(p)
  expect_equal(unique(b$data[[3]]$xintercept), 0.5)
  expect_error(plot(res, metric = "nope"), class = "grntorch_argument_error")
})

# Pretend ggplot2 is not installed: the package checks through .grn_has_package().
without_ggplot2 <- function(d) {
  fake <- function(pkg) pkg != "ggplot2"
  if (exists("local_mocked_bindings", envir = asNamespace("testthat"))) {
    testthat::local_mocked_bindings(.grn_has_package = fake, .package = "grntorch")
    check_without_ggplot2(d)
  } else {
    # testthat < 3.1.7 (no local_mocked_bindings): swap the binding by hand, as it does
    ns <- asNamespace("grntorch")
    orig <- get(".grn_has_package", envir = ns)
    unlockBinding(".grn_has_package", ns)
    assign(".grn_has_package", fake, envir = ns)
    on.exit({
      assign(".grn_has_package", orig, envir = ns)
      lockBinding(".grn_has_package", ns)
    })
    check_without_ggplot2(d)
  }
}

check_without_ggplot2 <- function(d) {
  for (f in list(function() plot_pr(d$g, d$ex$truth), function() plot_roc(d$g, d$ex$truth),
                 function() plot_training(d$g),
                 function() plot(evaluate_grn(d$g, d$ex$truth, curves = TRUE)))) {
    expect_error(f(), class = "grntorch_missing_package")
  }
  err <- tryCatch(plot_pr(d$g, d$ex$truth), error = identity)
  expect_match(conditionMessage(err), "ggplot2")
  expect_match(conditionMessage(err), "install.packages(\"ggplot2\")", fixed = TRUE)
  expect_match(conditionMessage(err), "apt install r-cran-ggplot2", fixed = TRUE)
  # plot_grn() falls back to igraph when ggraph (or ggplot2) is absent
  res <- expect_renders(function() plot_grn(d$g, top = 10))
  expect_s3_class(res, "igraph")
  g100 <- rownames(d$ex$expression)[1:100]
  t100 <- d$ex$truth[d$ex$truth$from %in% g100 & d$ex$truth$to %in% g100, ]
  expect_error(plot(benchmark_grn(list(list(expression = d$ex$expression[g100, ], tfs = d$ex$tfs, truth = t100)),
                                  "random", schemes = "universe", seeds = 1, verbose = FALSE)),
               "apt install r-cran-ggplot2", class = "grntorch_missing_package")
}

test_that("without ggplot2 the plots fail with a classed error that says how to install it", {
  d <- plot_example()
  without_ggplot2(d)
})

test_that("plot() of an infer_grn() network draws its top edges, not all 700,000", {
  skip_if_not_installed("ggplot2")
  d <- plot_example()
  expect_s3_class(d$g, "grn_network")
  t0 <- proc.time()[["elapsed"]]
  res <- expect_renders(function() plot(d$g, top = 30))
  expect_lt(proc.time()[["elapsed"]] - t0, 30)
  if (inherits(res, "ggplot")) {
    expect_equal(nrow(ggplot2::ggplot_build(res)$data[[1]]), 30)   # edges drawn
  } else {
    expect_equal(igraph::ecount(res), 30)
  }
  op <- options(grntorch.plot_engine = "igraph")
  res <- tryCatch(expect_renders(function() plot(d$g)), finally = options(op))
  expect_equal(igraph::ecount(res), 50)                              # the default top = 50
})
