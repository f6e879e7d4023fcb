# Issue 36 ("Real 10x data, a 600-case audit"): a catalogue of bad inputs.
# One expectation per case: the condition's class and, for an argument
# error or warning, the argument it names (its `arg` field).  Tiny data only.

# The error (or warning) of `expr`, checked for `class` and `arg`.
expect_arg_error <- function(expr, arg, class = "grntorch_argument_error") {
  e <- expect_error(expr, class = class)
  expect_identical(e$arg, arg)
  invisible(e)
}
expect_arg_warning <- function(expr, arg, class) {
  w <- expect_warning(expr, class = class)
  expect_identical(w$arg, arg)
  invisible(w)
}

audit_data <- local({
  cache <- NULL
  function() {
    if (is.null(cache)) {
      ex <- grntorch_example()
      genes <- rownames(ex$expression)[1:120]
      x <- ex$expression[genes, 1:60]
      tfs <- intersect(ex$tfs, genes)
      g <- infer_grn(x, "pearson", tfs = tfs, verbose = FALSE)
      vn <- toupper(igraph::V(g)$name)
      truth <- ex$truth[toupper(ex$truth$from) %in% vn & toupper(ex$truth$to) %in% vn, ]
      cache <<- list(ex = ex, x = x, tfs = tfs, g = g, truth = truth)
    }
    cache
  }
})

# A .npy file with a hand-written header (and `data` bytes after it).
write_npy <- function(header, version = 1L, hlen = NULL, data = raw(), extra = raw()) {
  f <- tempfile(fileext = ".npy")
  h <- charToRaw(header)
  if (is.null(hlen)) hlen <- length(h)
  con <- file(f, "wb")
  writeBin(as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0L)), con)
  if (version == 1L) writeBin(as.integer(hlen), con, size = 2L, endian = "little")
  else writeBin(c(as.integer(hlen %% 65536), as.integer(hlen %/% 65536)), con, size = 2L, endian = "little")
  writeBin(c(h, extra), con)
  writeBin(data, con)
  close(con)
  f
}

# ---------------------------------------------------------------------------
# Point 1: training pairs made on all genes, infer_grn(genes = ) on a subset

test_that("pairs outside `genes =` are dropped with one message naming the count", {
  d <- audit_data()
  tp <- training_pairs(prior_network("mouse", "string"), d$x, tfs = d$tfs, negatives = 1, verbose = FALSE)
  genes <- rownames(d$x)[1:70]
  n_out <- sum(!(toupper(tp$train$from) %in% toupper(genes) & toupper(tp$train$to) %in% toupper(genes)))
  expect_gt(n_out, 0)
  msgs <- list()
  g <- withCallingHandlers(
    infer_grn(d$x, "degree", tfs = d$tfs, genes = genes, train = tp$train, validation = tp$validation, verbose = FALSE),
    grntorch_dropped_pairs = function(m) { msgs[[length(msgs) + 1L]] <<- conditionMessage(m); invokeRestart("muffleMessage") })
  expect_s3_class(g, "grn_network")
  expect_match(msgs[[1]], sprintf("dropped %d of %d `train` pairs \\(%d naming genes of `x` outside `genes`", n_out,
                                  nrow(tp$train), n_out))
})

test_that("pairs all outside `genes =`, or naming a gene absent from `x`, are errors naming the pairs", {
  d <- audit_data()
  g <- rownames(d$x)
  out <- data.frame(from = g[100], to = g[101:102], label = c(1, 0))
  expect_arg_error(infer_grn(d$x, "degree", tfs = d$tfs, genes = g[1:50], train = out, verbose = FALSE), "train")
  typo <- data.frame(from = c(g[1], "NOTAGENE"), to = g[2:3], label = c(1, 0))
  expect_arg_error(infer_grn(d$x, "degree", tfs = d$tfs, genes = g[1:50], train = typo, verbose = FALSE), "train")
})

# ---------------------------------------------------------------------------
# Point 2: a counts-only SingleCellExperiment

test_that("a counts-only SingleCellExperiment says how to log-normalise", {
  skip_if_not_installed("SingleCellExperiment")
  d <- audit_data()
  sce <- SingleCellExperiment::SingleCellExperiment(list(counts = round(2^d$x[1:20, ])))
  e <- expect_arg_error(infer_grn(sce, "pearson", verbose = FALSE), "assay.type")
  expect_match(conditionMessage(e), "scuttle::logNormCounts.*NormalizeData.*log1p")
})

# ---------------------------------------------------------------------------
# Point 6: silent where a user needs a word

test_that("a transposed matrix (cells x genes) gives a warning naming `x`", {
  d <- audit_data()
  expect_arg_warning(infer_grn(t(d$x), "pearson", verbose = FALSE), "x", "grntorch_transposed")
  # with `tfs`: the warning, then the error that none of the TFs is a row
  expect_arg_warning(try(infer_grn(t(d$x), "pearson", tfs = d$tfs, verbose = FALSE), silent = TRUE), "x",
                     "grntorch_transposed")
  expect_no_warning(infer_grn(d$x[1:30, ], "pearson", verbose = FALSE))
})

test_that("arguments that do not apply to `x` are named in a warning", {
  d <- audit_data()
  expect_arg_warning(infer_grn(d$x[1:20, ], "pearson", assay.type = "counts", verbose = FALSE), "assay.type",
                     "grntorch_ignored_argument")
  expect_arg_warning(infer_grn(d$x[1:20, ], "pearson", layer = "counts", verbose = FALSE), "layer",
                     "grntorch_ignored_argument")
  skip_if_not_installed("SingleCellExperiment")
  sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = d$x[1:20, ]))
  expect_arg_warning(infer_grn(sce, "pearson", layer = "data", verbose = FALSE), "layer", "grntorch_ignored_argument")
})

test_that("gene names that differ only in case give a warning naming `x`", {
  d <- audit_data()
  m <- d$x[1:20, ]
  rownames(m)[2] <- toupper(rownames(m)[1])
  rownames(m)[1] <- tolower(rownames(m)[1])
  expect_arg_warning(infer_grn(m, "pearson", verbose = FALSE), "x", "grntorch_case_duplicates")
})

test_that("`tfs` all outside `genes =` is an error that names `genes`", {
  d <- audit_data()
  nontf <- setdiff(rownames(d$x), d$tfs)[1:10]
  e <- expect_arg_error(infer_grn(d$x, "pearson", tfs = d$tfs[1:3], genes = nontf, verbose = FALSE), "tfs")
  expect_match(conditionMessage(e), "chosen by `genes`")
})

test_that("`top` larger than the candidate pairs gives a note", {
  d <- audit_data()
  expect_message(g <- infer_grn(d$x[1:10, ], "pearson", top = 1e6, verbose = FALSE), "1,000,000 is more than the 90",
                 class = "grntorch_top_note")
  expect_identical(igraph::ecount(g), 90)
})

test_that("the same pair in `train` with both labels is an error naming `train`", {
  d <- audit_data()
  g <- rownames(d$x)
  tr <- data.frame(from = g[c(1, 1, 2)], to = g[c(5, 5, 6)], label = c(1, 0, 1))
  expect_arg_error(infer_grn(d$x, "degree", tfs = d$tfs, train = tr, verbose = FALSE), "train",
                   class = "grntorch_conflicting_labels")
})

test_that("summary() of a benchmark with an unknown metric is an error naming `metric`", {
  b <- structure(data.frame(dataset = "d", network_kind = NA_character_, method = "random", scheme = "universe",
                            test_set = "universe", seed = 1L, metric = "auroc", value = 0.5, seconds = 0,
                            stringsAsFactors = FALSE), class = c("grn_benchmark", "data.frame"))
  expect_arg_error(summary(b, metric = "foo"), "metric")
})

test_that("grn_edges(novel = TRUE) on a model without known edges says every edge is novel", {
  d <- audit_data()
  expect_message(e <- grn_edges(d$g, novel = TRUE), class = "grntorch_all_novel")
  expect_equal(nrow(e), igraph::ecount(d$g))
})

test_that("small counts stored as double are flagged as counts", {
  d <- audit_data()
  cnt <- round(d$x[1:20, ])
  expect_lte(max(cnt), 30)
  expect_arg_warning(infer_grn(cnt, "pearson", verbose = FALSE), "x", "grntorch_counts_warning")
})

# ---------------------------------------------------------------------------
# Point 7: base-R errors that were not classed and named no argument

test_that("choices (match.arg) are classed errors naming the argument", {
  d <- audit_data()
  expect_arg_error(correlation_method("kendall"), "type")
  expect_arg_error(split_edges(d$ex$truth, "foo"), "scheme")
  expect_arg_error(evaluate_grn(d$g, d$truth, mode = "foo"), "mode")
  expect_arg_error(evaluate_grn(d$g, d$truth, use = "foo"), "use")
  expect_arg_error(read_embeddings(d$ex$embeddings, missing = "foo"), "missing")
  expect_arg_error(infosem(d$ex$embeddings, missing = "foo"), "missing")
  expect_arg_error(beeline_tfs("martian"), "species")
  # a unique prefix still works, as with match.arg()
  expect_identical(correlation_method("spear")$name, "spearman")
})

test_that("`top` of 1e12 or Inf is a classed error naming `top`", {
  d <- audit_data()
  expect_arg_error(infer_grn(d$x[1:10, ], "pearson", top = 1e12, verbose = FALSE), "top")
  expect_arg_error(infer_grn(d$x[1:10, ], "pearson", top = Inf, verbose = FALSE), "top")
  expect_arg_error(grn_edges(d$g, top = 1e12), "top")
  expect_arg_error(grn_edges(d$g, top = Inf), "top")
  expect_arg_error(plot_grn(d$g, top = 1e12), "top")
  expect_arg_error(plot_grn(d$g, top = Inf), "top")
})

test_that("the .npy reader checks the header before allocating", {
  hdr <- function(shape, descr = "<f8") sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }\n", descr, shape)
  expect_arg_error(read_embeddings(write_npy(hdr("100000000, 768"), data = raw(64))), "x")
  expect_arg_error(read_embeddings(write_npy(hdr("100000, 100000"), data = raw(64))), "x")
  expect_arg_error(read_embeddings(write_npy(hdr("-5, 3"), data = raw(64))), "x")
  e <- expect_arg_error(read_embeddings(write_npy("", version = 2L, hlen = 2e9, extra = as.raw(c(0:255, 0:255)))), "x")
  expect_false(grepl("[[:cntrl:]]", conditionMessage(e)))   # no binary dump in the message
  # a well-formed file still reads
  ok <- write_npy(hdr("2, 3"), data = writeBin(as.double(1:6), raw(), size = 8L, endian = "little"))
  expect_equal(unname(read_embeddings(ok, row_names = c("A", "B"))), matrix(as.double(1:6), 2, byrow = TRUE))
})

test_that("an empty .csv is a classed error naming `x`", {
  f <- tempfile(fileext = ".csv")
  file.create(f)
  expect_arg_error(read_embeddings(f), "x")
})

test_that("split_edges() on a tiny, complete network is an error naming `truth`", {
  d <- audit_data()
  expect_arg_error(split_edges(d$ex$truth[1:3, ], "genelink_density"), "truth")
})

test_that("benchmark_grn(BPPARAM = \"serial\") is an error naming `BPPARAM`", {
  d <- audit_data()
  ds <- list(expression = d$x, tfs = d$tfs, truth = d$ex$truth)
  expect_arg_error(benchmark_grn(list(a = ds), "random", BPPARAM = "serial", verbose = FALSE), "BPPARAM")
})

test_that("plot_grn(layout = \"foo\") is an error naming `layout`", {
  d <- audit_data()
  expect_arg_error(plot_grn(d$g, layout = "foo"), "layout")
  op <- options(grntorch.plot_engine = "igraph")
  on.exit(options(op))
  expect_arg_error(plot_grn(d$g, layout = "foo"), "layout")
})

# ---------------------------------------------------------------------------
# Point 8: the right argument, and other wrong results

test_that("errors name the argument the user gave", {
  d <- audit_data()
  expect_arg_error(cross_source_split(prior = data.frame(from = character(), to = character()), truth = d$ex$truth,
                                      x_or_genes = d$x, tfs = d$tfs, verbose = FALSE), "prior",
                   class = "grntorch_no_known_edges")
  ds <- list(expression = d$x, tfs = d$tfs, truth = d$ex$truth)
  expect_arg_error(benchmark_grn(list(a = ds), "nonsense", verbose = FALSE), "methods")
  skip_if_not_installed("ggplot2")
  expect_arg_error(plot_pr(NULL), "x")
})

test_that("fm_embeddings() on a .pt file that is not a TorchScript module names `x`", {
  d <- audit_data()
  txt <- tempfile(fileext = ".pt")
  writeLines("not a module", txt)
  empty <- tempfile(fileext = ".pt")
  file.create(empty)
  npy <- tempfile(fileext = ".pt")
  file.copy(write_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }\n", data = raw(8)), npy)
  for (f in c(txt, empty, npy)) expect_arg_error(fm_embeddings(f, expression = d$x[1:5, ]), "x")
})

test_that("scregnet() with NA embeddings warns about `embeddings`", {
  d <- audit_data()
  e <- d$ex$embeddings[1:20, 1:4]
  e[2, 1] <- NA
  expect_arg_warning(scregnet(e, epochs = 1), "embeddings", "grntorch_na_embeddings")
})

test_that("print() and summary() of a network survive a deleted graph attribute", {
  d <- audit_data()
  g <- igraph::delete_graph_attr(d$g, "method")
  expect_output(print(g), "<grn_network> \\?")
  expect_output(summary(igraph::delete_graph_attr(d$g, "params")), "<grn_network> pearson")
})

test_that("print(grn_resources()) of 60,000 genes gives counts, not NA", {
  m <- Matrix::sparseMatrix(i = c(1, 2, 3), j = c(1, 2, 3), x = c(1.5, 2.5, 0.5), dims = c(60000, 10),
                            dimnames = list(paste0("g", 1:60000), paste0("c", 1:10)))
  r <- grn_resources(m, "pearson")
  out <- expect_no_warning(capture.output(print(r)))
  expect_false(any(grepl("NA", out)))
  expect_match(paste(out, collapse = " "), "2,000,000 edges kept")  # top = NULL: at most 2 million of the 3.6e9 pairs
  expect_match(paste(capture.output(print(grn_resources(m, "pearson", top = 2e9))), collapse = " "),
               "2,000,000,000 edges kept")
})

test_that("the igraph plotting fallback leaves par(xpd) as it was", {
  d <- audit_data()
  op <- options(grntorch.plot_engine = "igraph")
  f <- tempfile(fileext = ".png")
  grDevices::png(f)
  on.exit({ grDevices::dev.off(); unlink(f); options(op) })
  before <- graphics::par("xpd")
  plot_grn(d$g, top = 5)
  expect_identical(graphics::par("xpd"), before)
})

test_that("new_grn_method(), grntorch_sitrep() and plot_grn() check their arguments", {
  expect_arg_error(new_grn_method(5), "name")
  expect_arg_error(grntorch_sitrep(verbose = NA), "verbose")
  expect_arg_error(plot_grn(igraph::make_ring(3)), "g")
})

# ---------------------------------------------------------------------------
# Point 10: plot() of an evaluation draws its curves

test_that("plot(evaluate_grn(g, truth)) draws without curves = TRUE", {
  skip_if_not_installed("ggplot2")
  d <- audit_data()
  ev <- evaluate_grn(d$g, d$truth)
  expect_s3_class(plot(ev), "ggplot")
})
