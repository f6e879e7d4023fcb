#' Select the variable genes and TFs to infer a network on
#'
#' The gene selection BEELINE made for its benchmark, for data without
#' pseudotime: the TFs that are expressed and variable, plus the `n` most
#' variable non-TF genes of the log expression.  The result is a character
#' vector to pass as `genes =` to [infer_grn()].  If
#' you already have highly variable genes, e.g. from
#' `Seurat::VariableFeatures()` or scran's `getTopHVGs()`, pass those as
#' `genes =` instead (adding the TFs you want to keep).
#'
#' The statistic, per gene, over all cells of `x`:
#' * **variance**: the sample variance (denominator cells - 1) of the log
#'   expression across cells, implicit zeros of a sparse matrix included;
#' * **detection**: the fraction of cells in which the gene is non-zero.
#'
#' A gene is *expressed and variable* when it is detected in at least
#' `min_fraction` of the cells and its variance is above zero.  Among those,
#' the `n` non-TF genes of highest variance are kept; their lowest variance
#' is the **cut-off**, and a TF is kept when it is expressed and its variance
#' reaches the same cut-off.  So a TF is selected exactly when it would have
#' been selected as one of the most variable genes, whatever the size of the
#' TF list; this follows BEELINE's "TFs + N genes" sets, which added to the
#' N most variable genes the TFs that passed its variance filter.  If fewer
#' than `n` non-TF genes are expressed and variable, all of them are kept
#' (with a message) and the cut-off is the lowest of their variances.  With
#' `tfs = NULL` the `n` most variable genes are returned.
#'
#' **Raw counts.**  When the values look like raw counts (non-negative whole
#' numbers with a maximum of 2 or more, integer storage, `layer`/`assay.type`
#' `"counts"`, or a Seurat object whose `"data"` layer still equals its
#' `"counts"`), the statistics are computed on the log-normalised values
#' `log1p(counts / total_counts_of_the_cell * 1e4)`, i.e. what Seurat's
#' `NormalizeData()` (method `"LogNormalize"`) gives, and a message says so.
#' [infer_grn()] itself needs the log-normalised matrix: normalise `x` the
#' same way before inferring the network.
#'
#' **Memory.**  All genes are never made dense: a sparse matrix is read from
#' its slots (two passes in C++), a dense matrix directly, and a
#' `DelayedArray` in blocks of columns.  Memory beyond `x` is a few vectors
#' of one value per gene.
#'
#' @inheritParams infer_grn
#' @param x expression, genes x cells: a numeric `matrix`, a `dgCMatrix` (or
#'   other `Matrix`), a `DelayedArray`, a `SummarizedExperiment` /
#'   `SingleCellExperiment` (assay chosen by `assay.type`) or a `Seurat`
#'   object (chosen by `assay` and `layer`): every input [infer_grn()]
#'   takes.  Log expression, or raw counts (see Details).  `x` is never
#'   modified.
#' @param tfs character vector of candidate regulators (e.g.
#'   [beeline_tfs()]), matched to the gene names case-insensitively; `NULL`:
#'   no TF, only the `n` most variable genes.
#' @param n number of most variable non-TF genes to keep.
#' @param ... not used; a misspelt argument name is an error.
#' @param min_fraction a gene counts as expressed when it is non-zero in at
#'   least this fraction of the cells (default 0.01: one cell in a hundred,
#'   which suits sparse droplet data; 0 keeps every gene with a non-zero
#'   variance).
#' @param verbose say what was selected.
#' @return A character vector of gene names (rows of `x`), sorted by
#'   decreasing variance.  Its attribute `"selection"` is a list with
#'   `n_tfs`, `n_other`, `cutoff` (the variance cut-off), `min_fraction`,
#'   `log_normalised` (whether counts were log-normalised internally) and
#'   `stats`, a data.frame (`gene`, `variance`, `detected`, `is_tf`) of the
#'   selected genes.
#' @seealso [infer_grn()], [beeline_tfs()]
#' @examples
#' ex <- grntorch_example()
#' genes <- select_genes(ex$expression, tfs = ex$tfs, n = 200)
#' attr(genes, "selection")[c("n_tfs", "n_other", "cutoff")]
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, genes = genes)
#' g
#' @export
select_genes <- function(x, tfs = NULL, n = 1000, ..., min_fraction = 0.01, assay.type = "logcounts",
                         assay = NULL, layer = "data", verbose = TRUE) {
  .check_dots("select_genes", ...)
  n <- .check_scalar_int(n, "n", min = 1)
  min_fraction <- .check_scalar_num(min_fraction, "min_fraction", min = 0, max = 1)
  verbose <- .check_flag(verbose, "verbose")
  .warn_unused_source_args(x, assay.type = !missing(assay.type), assay = !is.null(assay), layer = !missing(layer))
  src <- .expression_source(x, assay.type = assay.type, assay = assay, layer = layer)
  st <- .gene_stats(src, verbose = verbose)
  genes <- rownames(src$m)
  is_tf <- if (is.null(tfs)) rep(FALSE, length(genes)) else genes %in% .match_tfs(tfs, genes, verbose = verbose)
  ok <- st$detected >= min_fraction & st$variance > 0
  if (!any(ok)) {
    .grn_abort("x", sprintf("has no expressed, variable gene: none of the %d genes is non-zero in at least %g%% of the cells with a variance above zero%s",
                            length(genes), 100 * min_fraction,
                            if (min_fraction > 0) " (lower `min_fraction`?)" else ""),
               class = "grntorch_no_variable_genes")
  }
  ord <- order(-st$variance, seq_along(genes))
  other <- ord[ok[ord] & !is_tf[ord]]
  if (length(other) < n) {
    .grn_note(sprintf("grntorch: `n` = %d but only %d %sgenes are expressed and variable; keeping all of them",
                      n, length(other), if (is.null(tfs)) "" else "non-TF "), class = "grntorch_fewer_genes")
  }
  other <- head(other, n)
  cutoff <- if (length(other)) st$variance[other[length(other)]] else 0
  tf_keep <- ord[ok[ord] & is_tf[ord] & st$variance[ord] >= cutoff]
  keep <- ord[ord %in% c(other, tf_keep)]
  if (length(keep) < 2L) {
    .grn_abort("x", sprintf("only %d expressed, variable gene was found; a network needs at least 2", length(keep)),
               class = "grntorch_no_variable_genes")
  }
  out <- genes[keep]
  .grn_inform(sprintf("grntorch: selected %d TFs and %d other genes (variance of the %slog expression >= %.4g, detected in >= %g%% of cells)",
                      length(tf_keep), length(other), if (st$log_normalised) "internally log-normalised " else "",
                      cutoff, 100 * min_fraction), verbose)
  attr(out, "selection") <- list(
    n_tfs = length(tf_keep), n_other = length(other), cutoff = cutoff, min_fraction = min_fraction,
    log_normalised = st$log_normalised,
    stats = data.frame(gene = out, variance = st$variance[keep], detected = st$detected[keep],
                       is_tf = is_tf[keep], stringsAsFactors = FALSE))
  out
}

# Per-gene variance (denominator cells - 1) and detection fraction over all
# genes of src$m, without making all genes dense; raw counts (the rule of
# .check_counts) are log-normalised on the fly as log1p(count / total * 1e4).
#' @noRd
.gene_stats <- function(src, verbose = TRUE) {
  m <- src$m
  nc <- ncol(m)
  if (is(m, "sparseMatrix")) {
    if (!is(m, "dgCMatrix")) m <- methods::as(methods::as(m, "CsparseMatrix"), "generalMatrix")
    if (!is(m, "dgCMatrix")) m <- methods::as(m, "dMatrix")
    chk <- .engine_call(.grn_values_check(m@x))
    int_storage <- FALSE
    colsum <- function() Matrix::colSums(m)
    stats <- function(scale, log) .engine_call(.grn_row_stats_sparse(m, scale, log))
  } else if (is.matrix(m)) {
    int_storage <- !is.double(m)
    chk <- if (int_storage) {
      list(finite = !anyNA(m), whole = !anyNA(m) && min(m) >= 0, max = suppressWarnings(max(m, na.rm = TRUE)))
    } else {
      .engine_call(.grn_dense_check(m))
    }
    colsum <- function() colSums(m)
    stats <- function(scale, log) .engine_call(.grn_row_stats_dense(m, scale, log))
  } else if (is(m, "DelayedArray")) {
    blocks <- .column_blocks(nrow(m), nc)
    int_storage <- identical(DelayedArray::type(m), "integer")
    chk <- list(finite = TRUE, whole = TRUE, max = -Inf)
    for (b in blocks) {
      cb <- as.matrix(m[, b, drop = FALSE])
      storage.mode(cb) <- "double"
      k <- .engine_call(.grn_dense_check(cb))
      chk <- list(finite = chk$finite && k$finite, whole = chk$whole && k$whole, max = max(chk$max, k$max))
    }
    colsum <- NULL
    stats <- function(scale, log) {
      acc <- NULL
      for (b in blocks) {
        cb <- as.matrix(m[, b, drop = FALSE])
        storage.mode(cb) <- "double"
        sc <- if (log) .size_scale(colSums(cb)) else numeric()
        acc <- .combine_stats(acc, .engine_call(.grn_row_stats_dense(cb, sc, log)), length(b))
      }
      acc
    }
  } else {
    .grn_abort(src$arg, sprintf("cannot be read as a matrix (class \"%s\")", class(m)[1]))
  }
  if (!isTRUE(chk$finite)) .grn_abort(src$arg, "contains NA, NaN or infinite values; remove or impute them first")
  counts <- identical(src$value_name, "counts") || .looks_like_counts(chk, int_storage) ||
    inherits(src$source, "Seurat") && identical(src$value_name, "data") && .seurat_data_is_counts(src, NULL)
  if (counts) {
    message(structure(class = c("grntorch_counts_message", "grntorch_message", "message", "condition"), list(
      message = sprintf(paste0("grntorch: `%s` looks like raw counts (maximum %s); select_genes() computes the variances on ",
                               "log1p(counts / total counts of the cell * 1e4), as Seurat's NormalizeData() does; ",
                               "log-normalise `x` the same way before infer_grn()\n"), src$value_arg, format(chk$max)),
      call = NULL)))
  }
  scale <- if (counts && !is.null(colsum)) .size_scale(colsum()) else numeric()
  s <- .engine_call(stats(scale, counts))
  v <- s$m2 / (nc - 1)
  v[v < 0] <- 0
  list(variance = v, detected = s$nnz / nc, log_normalised = counts)
}

# 1e4 / total counts per cell (0 for an empty cell): log1p(count * scale).
#' @noRd
.size_scale <- function(cs) ifelse(cs > 0, 1e4 / cs, 0)

# Column blocks of about 1e7 values (80 MB as doubles).
#' @noRd
.column_blocks <- function(nr, nc, values = 1e7) {
  w <- max(1L, as.integer(floor(values / max(1, nr))))
  split(seq_len(nc), ceiling(seq_len(nc) / w))
}

# Merge per-row (sum, m2, nnz) of two sets of columns (Chan et al.).
#' @noRd
.combine_stats <- function(a, b, nb) {
  b$n <- nb
  if (is.null(a)) return(b)
  n <- a$n + b$n
  delta <- b$sum / b$n - a$sum / a$n
  list(sum = a$sum + b$sum, m2 = a$m2 + b$m2 + delta^2 * a$n * b$n / n, nnz = a$nnz + b$nnz, n = n)
}
