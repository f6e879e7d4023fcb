# The network users get (class grn_network, still an igraph), its print() /
# summary(), grn_fit(), and the classed warnings that do not hide behind
# `verbose` (issue 18 items 1 and 5).

print_example <- local({
  cache <- NULL
  function() {
    if (!is.null(cache)) return(cache)
    ex <- grntorch_example()
    tfs <- intersect(unique(ex$split$train$from), rownames(ex$expression))[1:15]
    genes <- unique(c(tfs, rownames(ex$expression)))[1:150]
    keep <- function(p) p[p$from %in% genes & p$to %in% genes, ]
    cache <<- list(expression = ex$expression[genes, 1:120], tfs = tfs, truth = ex$truth,
                   train = keep(ex$split$train), validation = keep(ex$split$validation),
                   test = keep(ex$split$test), embeddings = ex$embeddings)
    cache
  }
})

test_that("infer_grn() returns a grn_network that igraph and grntorch functions accept", {
  d <- print_example()
  g <- infer_grn(d$expression, "pearson", tfs = d$tfs, verbose = FALSE)
  expect_identical(class(g), c("grn_network", "igraph"))
  expect_true(igraph::is_igraph(g))
  n <- igraph::ecount(g)
  expect_equal(n, 15 * 150 - 15)
  expect_length(igraph::E(g), n)
  expect_length(igraph::V(g), 150)
  expect_equal(nrow(igraph::as_data_frame(g, what = "edges")), n)
  expect_equal(igraph::vcount(igraph::induced_subgraph(g, 1:20)), 20)
  h <- igraph::delete_edges(g, 1:10)
  expect_equal(igraph::ecount(h), n - 10)
  expect_equal(grn_edges(h, top = 1)$rank, 11)
  expect_equal(igraph::edge_attr(igraph::set_edge_attr(g, "x", value = 2), "x")[1], 2)
  expect_equal(sum(igraph::degree(g, mode = "out") > 0), 15)
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(igraph::induced_subgraph(g, 1:10)))
  expect_equal(nrow(grn_edges(g)), n)
  ev <- evaluate_grn(g, d$truth)
  expect_s3_class(ev, "grn_evaluation")
  expect_output(print(g, igraph = TRUE), "IGRAPH")
})

test_that("print() and summary() show the method, sizes, edges, top edges and training", {
  d <- print_example()
  g <- infer_grn(d$expression, "pearson", tfs = d$tfs, verbose = FALSE)
  out <- capture.output(print(g))
  expect_match(out[1], "<grn_network> pearson: 2,235 edges", fixed = TRUE)
  expect_true(any(grepl("150 genes, 15 regulators, 120 cells", out, fixed = TRUE)))
  expect_true(any(grepl("training: none (correlation)", out, fixed = TRUE)))
  expect_true(any(grepl("top 5 edges", out, fixed = TRUE)))
  top <- grn_edges(g, top = 1)
  expect_true(any(grepl(top$from, out, fixed = TRUE)))
  capture.output(v <- withVisible(print(g)))
  expect_false(v$visible)
  expect_identical(v$value, g)
  expect_output(print(g, n = 2), "top 2 edges")
  s <- capture.output(summary(g))
  expect_match(s[1], "pearson: 2,235 edges")
  expect_true(any(grepl("top 10 edges", s, fixed = TRUE)))

  # DeepSEM: epochs, final loss, seconds
  gd <- infer_grn(d$expression, deepsem(epochs = 2, seed = 1, threads = 1), tfs = d$tfs, top = 100, verbose = FALSE)
  out <- capture.output(print(gd))
  expect_match(out[1], "deepsem: 100 edges")
  expect_true(any(grepl("training: 2 epochs, final loss", out, fixed = TRUE)))
  expect_true(any(grepl("loss per epoch", capture.output(summary(gd)), fixed = TRUE)))
})

test_that("grn_fit() has one documented structure for every model family", {
  d <- print_example()
  fields <- c("method", "params", "n_genes", "n_regulators", "n_cells", "n_edges", "n_runs", "seeds", "seconds",
              "epochs", "loss", "selected_epoch", "validation_auroc", "info")
  gp <- infer_grn(d$expression, "pearson", tfs = d$tfs, verbose = FALSE)
  f <- grn_fit(gp)
  expect_s3_class(f, "grn_fit")
  expect_named(f, fields)
  expect_identical(f[c("method", "n_genes", "n_regulators", "n_cells")],
                   list(method = "pearson", n_genes = 150L, n_regulators = 15L, n_cells = 120L))
  expect_equal(f$n_edges, igraph::ecount(gp))
  expect_true(is.na(f$epochs) && is.na(f$selected_epoch) && is.na(f$validation_auroc))
  expect_identical(nrow(f$loss), 0L)
  expect_true(is.numeric(f$seconds) && f$seconds >= 0)
  expect_output(print(f), "<grn_fit> pearson")

  gd <- infer_grn(d$expression, deepsem(epochs = 3, seed = 1, threads = 1, n_runs = 2), tfs = d$tfs,
                  top = 50, verbose = FALSE)
  f <- grn_fit(gd)
  expect_named(f, fields)
  expect_identical(f$n_runs, 2L)
  expect_identical(f$epochs, c(3L, 3L))
  expect_identical(names(f$loss), c("run", "epoch", "loss"))
  expect_identical(nrow(f$loss), 6L)
  expect_equal(f$loss$loss[f$loss$run == 2], igraph::graph_attr(gd, "fit")$loss[[2]])
  expect_output(print(gd), "2 runs (seeds 1, 2), 3 / 3 epochs", fixed = TRUE)

  gs <- infer_grn(d$expression, gnnlink(epochs = 3, batch_size = 4096, threads = 1), tfs = d$tfs,
                  train = d$train, validation = d$validation, top = 50, verbose = FALSE)
  f <- grn_fit(gs)
  info <- igraph::graph_attr(gs, "fit")
  expect_identical(f$epochs, as.integer(info$epochs_run))
  expect_identical(f$selected_epoch, as.integer(info$best_epoch))
  expect_equal(f$validation_auroc, info$val_auroc[info$best_epoch])
  expect_identical(names(f$loss), c("run", "epoch", "loss", "val_loss", "val_auroc"))
  expect_equal(f$loss$loss, info$train_loss)
  out <- capture.output(print(gs))
  expect_match(out[1], "gnnlink: 50 edges")
  expect_true(any(grepl(sprintf("kept epoch %d (validation AUROC", info$best_epoch), out, fixed = TRUE)))

  gb <- infer_grn(d$expression, "degree", tfs = d$tfs, train = d$train, validation = d$validation, verbose = FALSE)
  f <- grn_fit(gb)
  expect_named(f, fields)
  expect_true(is.na(f$epochs))
  expect_output(print(gb), "training: no epochs (baseline)", fixed = TRUE)
  expect_output(print(infer_grn(d$expression, "random", tfs = d$tfs, verbose = FALSE)), "none (random baseline)",
                fixed = TRUE)
  expect_error(grn_fit(igraph::make_ring(3)), class = "grntorch_argument_error", regexp = "`g`")
})

test_that("a supervised fit without validation pairs warns (grntorch_no_validation)", {
  d <- print_example()
  expect_warning(infer_grn(d$expression, gnnlink(epochs = 1, batch_size = 4096, threads = 1), tfs = d$tfs,
                           train = d$train, top = 10, verbose = FALSE),
                 class = "grntorch_no_validation", regexp = "patience")
  # a fixed number of epochs on purpose: no warning
  expect_no_warning(infer_grn(d$expression, gnnlink(epochs = 1, batch_size = 4096, threads = 1, patience = 0,
                                                    select_best = FALSE),
                              tfs = d$tfs, train = d$train, top = 10, verbose = FALSE))
})

test_that("pairs given to a method that ignores them warn (grntorch_ignored_pairs)", {
  d <- print_example()
  expect_warning(infer_grn(d$expression, "pearson", tfs = d$tfs, train = d$train, verbose = FALSE),
                 class = "grntorch_ignored_pairs", regexp = "`train` ignored")
  expect_warning(infer_grn(d$expression, deepsem(epochs = 1, threads = 1), tfs = d$tfs, validation = d$validation,
                           top = 5, verbose = FALSE),
                 class = "grntorch_ignored_pairs", regexp = "`validation` ignored")
  w <- tryCatch(infer_grn(d$expression, infosem(d$embeddings, epochs = 1, threads = 1), tfs = d$tfs,
                          train = d$train, top = 5, verbose = FALSE), warning = function(w) w)
  expect_s3_class(w, "grntorch_ignored_pairs")
  expect_match(conditionMessage(w), "prior_edges = \"train\"", fixed = TRUE)
  expect_no_warning(gi <- infer_grn(d$expression, infosem(d$embeddings, prior_edges = "train", epochs = 2, threads = 1),
                                    tfs = d$tfs, train = d$train, top = 5, verbose = FALSE))
  f <- grn_fit(gi)   # InfoSEM's loss table carries its reconstruction term
  expect_identical(names(f$loss), c("run", "epoch", "loss", "mse"))
  expect_identical(f$epochs, 2L)
})

test_that("NA embeddings given the mean embedding warn (grntorch_na_embeddings)", {
  d <- print_example()
  e <- d$embeddings
  e[c(d$tfs[1], rownames(d$expression)[40]), 3] <- NA
  expect_warning(m <- scregnet(e, epochs = 1), class = "grntorch_na_embeddings", regexp = "2 gene")
  expect_true(d$tfs[1] %in% m$params$embeddings$unmapped)
  expect_warning(sctransnet(e, epochs = 1), class = "grntorch_na_embeddings")
  expect_warning(fm_embeddings(e), class = "grntorch_na_embeddings")
  expect_no_warning(scregnet(d$embeddings, epochs = 1))
})

test_that("validation pairs that are training pairs are an error naming `validation`", {
  d <- print_example()
  m <- degree_baseline()
  expect_error(infer_grn(d$expression, m, tfs = d$tfs, train = d$train, validation = d$train, verbose = FALSE),
               class = "grntorch_pairs_overlap", regexp = "`validation`: .*every validation pair is a training pair")
  v <- rbind(d$validation, d$train[1:2, ])
  expect_error(infer_grn(d$expression, m, tfs = d$tfs, train = d$train, validation = v, verbose = FALSE),
               class = "grntorch_argument_error", regexp = "`validation`: 2 of its")
  flip <- d$train[1, ]
  flip$label <- 1L - flip$label
  expect_error(infer_grn(d$expression, m, tfs = d$tfs, train = d$train, validation = rbind(d$validation, flip),
                         verbose = FALSE), class = "grntorch_pairs_overlap", regexp = "1 with the other")
})

test_that("evaluate_grn() warns on a truth in other gene IDs and on undefined metrics", {
  d <- print_example()
  g <- infer_grn(d$expression, "pearson", tfs = d$tfs, verbose = FALSE)
  ens <- d$truth
  ens$from <- paste0("ENSMUSG", match(ens$from, unique(c(ens$from, ens$to))))
  ens$to <- paste0("ENSMUSG", match(ens$to, unique(c(d$truth$from, d$truth$to))))
  expect_warning(ev <- evaluate_grn(g, ens), class = "grntorch_truth_mismatch", regexp = "gene IDs")
  expect_equal(ev$auroc, 0.5)
  # a top-k table's few genes, all in the truth: no warning
  expect_no_warning(evaluate_grn(grn_edges(g, top = 20), d$truth))
  # a truth restricted to the net's genes: no warning
  expect_no_warning(evaluate_grn(g, d$truth))
  neg <- d$test[d$test$label == 0, ]
  w <- tryCatch(evaluate_grn(g, neg), warning = function(w) w)
  expect_s3_class(w, "grntorch_undefined_metric")
  expect_match(conditionMessage(w), "^auroc, auprc, .*undefined \\(NaN\\): .* hold no positive")
  pos <- d$test[d$test$label == 1, ]
  expect_warning(ev <- evaluate_grn(g, pos), class = "grntorch_undefined_metric", regexp = "all positive")
  expect_true(is.nan(ev$auroc))
})

test_that("a 700,000-edge network prints without copying its edges", {
  skip_on_cran()
  ex <- grntorch_example()
  g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE)
  expect_gt(igraph::ecount(g), 690000)
  t <- system.time(out <- capture.output(print(g)))[["elapsed"]]
  expect_match(out[1], "pearson: 701,613 edges", fixed = TRUE)
  expect_lt(t, 0.5)
})

test_that("benchmark_grn() reports its NaN metrics in one warning", {
  out <- data.frame(dataset = "d", scheme = "unseen_genes", test_set = "test_unseen", seed = 1L,
                    metric = c("auroc", "auprc", "density"), value = c(NaN, NaN, 0))
  expect_warning(grntorch:::.bench_warn_undefined(out), class = "grntorch_undefined_metric",
                 regexp = "2 metric value\\(s\\) are undefined .*auroc, auprc in d/unseen_genes/test_unseen \\(seed 1\\)")
  expect_no_warning(grntorch:::.bench_warn_undefined(out[3, ]))
})

test_that("print() shows a drawn seed in full, so the run can be repeated with it", {
  d <- print_example()
  g <- infer_grn(d$expression, "deepsem", tfs = d$tfs, epochs = 1, verbose = FALSE)
  seed <- grn_fit(g)$params$seed
  expect_true(seed >= 1e5)  # drawn, not given: a large whole number
  out <- paste(capture.output(print(g)), collapse = " ")
  expect_match(out, paste0("seed=", format(seed, scientific = FALSE)), fixed = TRUE)
  expect_no_match(out, "seed=[0-9.]+e\\+")
  expect_match(out, "lr=1e-04", fixed = TRUE)  # fractions keep 4 digits
  h <- infer_grn(d$expression, "deepsem", tfs = d$tfs, epochs = 1, verbose = FALSE,
                 seed = seed)
  expect_equal(grn_edges(h)$score, grn_edges(g)$score)
})
