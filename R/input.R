# Input adapters: every supported `x` becomes one dense, finite, double
# genes x cells matrix with unique gene names.  One internal function, so
# every model sees exactly the same thing whatever the container was.

#' @noRd
.as_expression <- function(x, genes = NULL, assay.type = "logcounts", assay = NULL,
                           layer = "data", arg = "x") {
  .densify_expression(.expression_source(x, genes = genes, assay.type = assay.type, assay = assay,
                                         layer = layer, arg = arg))
}

# Stage 1 of the adapter, cheap (nothing is made dense): the assay matrix `m`
# of `x`, the 1-based `rows` selected by `genes`, their names (`genes`) and
# the cell names (`cells`).  Sizes known here (length(rows) x ncol(m)) feed
# the resource planner before any allocation.
#' @noRd
.expression_source <- function(x, genes = NULL, assay.type = "logcounts", assay = NULL,
                               layer = "data", arg = "x") {
  m <- .extract_assay(x, assay.type = assay.type, assay = assay, layer = layer, arg = arg)

  if (!(is.matrix(m) || is(m, "Matrix") || is(m, "DelayedArray"))) {
    .grn_abort(arg, sprintf(paste0(
      "must be a genes x cells numeric matrix, a dgCMatrix, a SummarizedExperiment/",
      "SingleCellExperiment or a Seurat object, not an object of class \"%s\""), class(m)[1]))
  }
  if (is.matrix(m) && !(is.numeric(m) || is.logical(m) && all(is.na(m)))) {
    .grn_abort(arg, sprintf("must hold numbers, but its storage mode is \"%s\"", storage.mode(m)))
  }
  rn <- rownames(m)
  if (is.null(rn)) .grn_abort(arg, "has no row names: rows must be named by gene")
  if (anyNA(rn) || any(rn == "")) .grn_abort(arg, "has missing (NA or empty) gene names in its row names")
  if (anyDuplicated(rn)) {
    d <- unique(rn[duplicated(rn)])
    .grn_abort(arg, sprintf("has duplicated gene names (%s%s); make them unique first, e.g. with make.unique()",
                            paste(head(d, 5), collapse = ", "), if (length(d) > 5) ", ..." else ""))
  }

  rows <- seq_len(nrow(m))
  if (!is.null(genes)) {
    if (!is.character(genes) || anyNA(genes) || length(genes) == 0L) {
      .grn_abort("genes", "must be a non-empty character vector of gene names")
    }
    genes <- unique(genes)
    rows <- match(genes, rn)
    miss <- is.na(rows)
    if (any(miss)) rows[miss] <- match(toupper(genes[miss]), toupper(rn))
    if (anyNA(rows)) {
      bad <- genes[is.na(rows)]
      .grn_abort("genes", sprintf("%d of %d genes are not in the row names of `%s`: %s%s",
                                  length(bad), length(genes), arg, paste(head(bad, 5), collapse = ", "),
                                  if (length(bad) > 5) ", ..." else ""))
    }
  }
  if (length(rows) < 2L) .grn_abort(if (is.null(genes)) arg else "genes", "needs at least 2 genes")
  if (ncol(m) < 3L) .grn_abort(arg, sprintf("needs at least 3 cells, has %d", ncol(m)))
  cn <- colnames(m)
  if (is.null(cn)) cn <- paste0("cell", seq_len(ncol(m)))
  list(m = m, rows = rows, genes = rn[rows], cells = cn, arg = arg, source = x)
}

# Stage 2: the selected rows as one dense, finite, double genes x cells matrix.
#' @noRd
.densify_expression <- function(src) {
  m <- src$m
  rows <- src$rows
  arg <- src$arg
  if (is(m, "sparseMatrix")) {
    if (!is(m, "dgCMatrix")) m <- methods::as(methods::as(m, "CsparseMatrix"), "generalMatrix")
    if (!is(m, "dgCMatrix")) m <- methods::as(m, "dMatrix")
    out <- .engine_call(.grn_densify_rows(m, as.integer(rows)))
  } else {
    out <- as.matrix(m[rows, , drop = FALSE])
    if (!is.numeric(out)) .grn_abort(arg, sprintf("must hold numbers, but its storage mode is \"%s\"", storage.mode(out)))
    storage.mode(out) <- "double"
  }
  if (!all(is.finite(out))) {
    .grn_abort(arg, "contains NA, NaN or infinite values; remove or impute them first")
  }
  dimnames(out) <- list(src$genes, src$cells)
  out
}

#' @noRd
.extract_assay <- function(x, assay.type, assay, layer, arg) {
  if (inherits(x, "Seurat")) return(.extract_seurat(x, assay = assay, layer = layer))
  if (is(x, "SummarizedExperiment")) {
    if (!requireNamespace("SummarizedExperiment", quietly = TRUE)) {
      .grn_abort(arg, "is a SummarizedExperiment, but the SummarizedExperiment package is not installed")
    }
    if (!is.character(assay.type) || length(assay.type) != 1L) .grn_abort("assay.type", "must be a single string")
    an <- SummarizedExperiment::assayNames(x)
    if (!assay.type %in% an) {
      .grn_abort("assay.type", sprintf("assay \"%s\" is not in `%s`; available: %s", assay.type, arg,
                                       if (length(an)) paste0("\"", an, "\"", collapse = ", ") else "none"))
    }
    return(SummarizedExperiment::assay(x, assay.type, withDimnames = TRUE))
  }
  if (is.data.frame(x)) {
    .grn_abort(arg, "is a data.frame; convert it with as.matrix() (genes as rows, cells as columns)")
  }
  x
}

#' @noRd
.extract_seurat <- function(x, assay, layer) {
  if (!requireNamespace("SeuratObject", quietly = TRUE)) {
    .grn_abort("x", "is a Seurat object, but the SeuratObject package is not installed")
  }
  assays <- SeuratObject::Assays(x)
  if (is.null(assay)) assay <- SeuratObject::DefaultAssay(x)
  if (!is.character(assay) || length(assay) != 1L || !assay %in% assays) {
    .grn_abort("assay", sprintf("assay \"%s\" is not in the Seurat object; available: %s",
                                paste(assay, collapse = ","), paste0("\"", assays, "\"", collapse = ", ")))
  }
  if (!is.character(layer) || length(layer) != 1L || is.na(layer)) .grn_abort("layer", "must be a single string")
  if (.seurat_v5()) {
    # Looked up at run time: SeuratObject 4 has neither function.
    layers_fn <- getExportedValue("SeuratObject", "Layers")
    layer_data <- getExportedValue("SeuratObject", "LayerData")
    layers <- layers_fn(x[[assay]])
    if (!layer %in% layers) {
      .grn_abort("layer", sprintf("layer \"%s\" is not in assay \"%s\"; available: %s", layer, assay,
                                  paste0("\"", layers, "\"", collapse = ", ")))
    }
    m <- layer_data(x, assay = assay, layer = layer)
  } else {
    slots <- c("counts", "data", "scale.data")
    if (!layer %in% slots) {
      .grn_abort("layer", sprintf("layer \"%s\" does not exist in SeuratObject %s; use one of %s", layer,
                                  utils::packageVersion("SeuratObject"), paste0("\"", slots, "\"", collapse = ", ")))
    }
    m <- SeuratObject::GetAssayData(x, slot = layer, assay = assay)
    if (length(m) == 0L || nrow(m) == 0L) {
      .grn_abort("layer", sprintf("layer \"%s\" of assay \"%s\" is empty", layer, assay))
    }
  }
  m
}

#' @noRd
.seurat_v5 <- function() {
  utils::packageVersion("SeuratObject") >= "5.0.0"
}

# Match a user's TF list to the genes, case-insensitively, and report the overlap.
#' @noRd
.match_tfs <- function(tfs, genes, verbose = TRUE) {
  if (is.null(tfs)) return(genes)
  if (is.factor(tfs)) tfs <- as.character(tfs)
  if (!is.character(tfs) || length(tfs) == 0L) .grn_abort("tfs", "must be a non-empty character vector of gene symbols")
  tfs <- unique(tfs[!is.na(tfs) & tfs != ""])
  hit <- toupper(genes) %in% toupper(tfs)
  found <- sum(toupper(tfs) %in% toupper(genes))
  if (!any(hit)) {
    .grn_abort("tfs", sprintf("none of the %d TFs is among the %d genes (matched case-insensitively); check the species and the gene identifiers (e.g. %s vs %s)",
                              length(tfs), length(genes), tfs[1], genes[1]))
  }
  frac <- found / length(tfs)
  .grn_inform(sprintf("grntorch: %d of %d TFs (%.0f%%) found among %d genes", found, length(tfs), 100 * frac, length(genes)),
              verbose)
  if (frac < 0.4) {
    .grn_warn(sprintf("only %d of %d TFs (%.0f%%) were found among the genes; check the TF list matches the data's species and identifiers",
                      found, length(tfs), 100 * frac), class = "grntorch_low_tf_overlap")
  }
  genes[hit]
}
