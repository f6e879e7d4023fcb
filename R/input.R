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
    if (anyDuplicated(toupper(genes))) {
      d <- unique(genes[duplicated(toupper(genes))])
      .grn_abort("genes", sprintf("names some genes more than once (%s%s; matched case-insensitively); pass each gene once, e.g. unique(genes)",
                                  paste(head(d, 5), collapse = ", "), if (length(d) > 5) ", ..." else ""))
    }
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
  .check_case_duplicates(rn[rows], arg)
  if (ncol(m) < 3L) .grn_abort(arg, sprintf("needs at least 3 cells, has %d", ncol(m)))
  cn <- colnames(m)
  if (is.null(cn)) cn <- paste0("cell", seq_len(ncol(m)))
  # Which argument chose the matrix (for messages about its values): `layer`
  # for a Seurat object, `assay.type` for a SummarizedExperiment, else `x`.
  what <- if (inherits(x, "Seurat")) list(arg = "layer", name = layer)
          else if (is(x, "SummarizedExperiment")) list(arg = "assay.type", name = assay.type)
          else list(arg = arg, name = NULL)
  list(m = m, rows = rows, genes = rn[rows], cells = cn, arg = arg, source = x,
       value_arg = what$arg, value_name = what$name, assay = assay)
}

# Is the expression used where it is (a base double matrix, every row)?
# Then infer_grn() makes no dense copy (the planner counts none either).
#' @noRd
.dense_in_place <- function(m, rows) {
  is.matrix(m) && is.double(m) && length(rows) == nrow(m) && identical(as.integer(rows), seq_len(nrow(m)))
}

# Stage 2: the selected rows as one dense, finite, double genes x cells
# matrix.  Checked on the way (one pass over the selected rows, nothing else
# allocated): non-finite values are an error; values that look like raw
# counts give a grntorch_counts_warning; all-zero and constant genes are
# dropped with a message (they carry no information, and some models rank
# them high); fewer than 2 variable genes is an error.  The dropped genes are
# kept in attr(, "grntorch_dropped").
#' @noRd
.densify_expression <- function(src) {
  m <- src$m
  rows <- src$rows
  arg <- src$arg
  if (is(m, "sparseMatrix")) {
    if (!is(m, "dgCMatrix")) m <- methods::as(methods::as(m, "CsparseMatrix"), "generalMatrix")
    if (!is(m, "dgCMatrix")) m <- methods::as(m, "dMatrix")
    out <- .engine_call(.grn_densify_rows(m, as.integer(rows)))
  } else if (.dense_in_place(m, rows)) {
    # A base double matrix with every row: used where it is (no copy; R copies
    # it if anything below assigns to it, and the user's object is never
    # changed).  At 10,000 genes x 50,000 cells this saves 4 GB.
    out <- m
  } else {
    out <- as.matrix(m[rows, , drop = FALSE])
    if (!is.numeric(out)) .grn_abort(arg, sprintf("must hold numbers, but its storage mode is \"%s\"", storage.mode(out)))
    storage.mode(out) <- "double"
  }
  chk <- .engine_call(.grn_dense_check(out))
  if (!chk$finite) {
    .grn_abort(arg, "contains NA, NaN or infinite values; remove or impute them first")
  }
  dn <- list(src$genes, src$cells)
  if (!identical(dimnames(out), dn)) dimnames(out) <- dn
  .check_counts(src, chk, out)
  const <- chk$constant
  if (any(const)) {
    keep <- which(!const)
    if (length(keep) < 2L) {
      .grn_abort(arg, sprintf(paste0(
        "has no variable gene%s: %s of the %d %sgenes are all-zero or constant across the %d cells; ",
        "grntorch needs expression that varies between cells (is this the right matrix, assay or layer?)"),
        if (length(keep) == 1L) " but one" else "", if (length(keep)) "all but one" else "all",
        length(const), if (length(rows) < nrow(src$m)) "selected " else "", ncol(out)),
        class = "grntorch_no_variable_genes")
    }
    dropped <- src$genes[const]
    .grn_note(sprintf("grntorch: dropped %d all-zero or constant gene%s (%s%s); %d genes remain",
                      length(dropped), if (length(dropped) > 1) "s" else "",
                      paste(head(dropped, 5), collapse = ", "), if (length(dropped) > 5) ", ..." else "",
                      length(keep)), class = "grntorch_dropped_genes")
    out <- out[keep, , drop = FALSE]
    attr(out, "grntorch_dropped") <- dropped
  }
  out
}

# The rule for "looks like raw counts" (documented in ?infer_grn): the
# selected values are all non-negative whole numbers and either their maximum
# is .counts_min_max or more or they are stored as integers (log-normalised
# values are essentially never all whole numbers, whatever their maximum: a
# small count matrix stored as double, maximum 12, is still counts; 0/1
# values stored as double are not taken for counts); or the values were asked
# for by name as counts (layer / assay.type "counts"); or a Seurat object's
# "data" layer still equals its "counts" layer (a fresh object that was never
# normalised).
#' @noRd
.counts_min_max <- 2

#' @noRd
.looks_like_counts <- function(chk, integer_storage) {
  isTRUE(chk$whole) && (is.finite(chk$max) && chk$max >= .counts_min_max || integer_storage)
}

#' @noRd
.check_counts <- function(src, chk, out) {
  how <- paste0("log-normalise first, e.g. with Seurat::NormalizeData(), scuttle::logNormCounts(), or in base R ",
                "log1p(t(t(counts) / colSums(counts)) * 1e4)")
  int_storage <- is.matrix(src$m) && is.integer(src$m) || is(src$m, "DelayedArray") && identical(DelayedArray::type(src$m), "integer")
  named_counts <- identical(src$value_name, "counts")
  same <- FALSE
  if (inherits(src$source, "Seurat") && identical(src$value_name, "data")) same <- .seurat_data_is_counts(src, out)
  if (same) {
    msg <- sprintf(paste0("`%s`: the \"data\" layer of `%s` holds the same values as its \"counts\" layer, so it is ",
                          "not log-normalised (a Seurat object before NormalizeData()); %s"), src$value_arg, src$arg, how)
  } else if (named_counts || .looks_like_counts(chk, int_storage)) {
    what <- if (named_counts) sprintf("%s = \"counts\" asks for raw counts", src$value_arg)
            else sprintf("the values look like raw counts (non-negative whole numbers, maximum %s%s)",
                         format(chk$max), if (int_storage) ", stored as integers" else "")
    msg <- sprintf("`%s`: %s, but grntorch expects log-normalised expression; %s", src$value_arg, what,
                   if (named_counts) paste0("use the log-normalised ", src$value_arg, " (e.g. \"",
                                            if (src$value_arg == "layer") "data" else "logcounts", "\"), or ", how)
                   else how)
  } else {
    return(invisible(FALSE))
  }
  .grn_warn(msg, class = "grntorch_counts_warning", arg = src$value_arg)
  invisible(TRUE)
}

# Compare a Seurat object's "data" with its "counts" on (up to 50 of) the
# selected rows: cheap, and a fresh object's layers are equal everywhere.
#' @noRd
.seurat_data_is_counts <- function(src, out) {
  x <- src$source
  assay <- if (is.null(src$assay)) SeuratObject::DefaultAssay(x) else src$assay
  cnt <- tryCatch(.extract_seurat(x, assay = assay, layer = "counts"), error = function(e) NULL)
  if (is.null(cnt) || !identical(dim(cnt), dim(src$m))) return(FALSE)
  idx <- unique(round(seq(1, length(src$rows), length.out = min(50L, length(src$rows)))))
  b <- as.matrix(cnt[src$rows[idx], , drop = FALSE])
  a <- if (is.null(out)) as.matrix(src$m[src$rows[idx], , drop = FALSE]) else out[idx, , drop = FALSE]
  isTRUE(all(unname(a) == unname(b)))
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
      hint <- if (identical(assay.type, "logcounts") && "counts" %in% an) {
        paste0("; log-normalise the counts first, e.g. x <- scuttle::logNormCounts(x) (Seurat: Seurat::NormalizeData()), ",
               "or in base R assay(x, \"logcounts\") <- log1p(t(t(counts) / colSums(counts)) * 1e4) with counts <- assay(x, \"counts\")")
      } else ""
      .grn_abort("assay.type", sprintf("assay \"%s\" is not in `%s`; available: %s%s", assay.type, arg,
                                       if (length(an)) paste0("\"", an, "\"", collapse = ", ") else "none", hint))
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
      .grn_abort("layer", sprintf("layer \"%s\" is not in assay \"%s\"; available: %s%s", layer, assay,
                                  paste0("\"", layers, "\"", collapse = ", "),
                                  if (identical(layer, "data") && "counts" %in% layers)
                                    "; log-normalise the counts first with Seurat::NormalizeData()" else ""))
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

# Match a user's TF list to the genes, case-insensitively.  The overlap is a
# message (when verbose): a gene subset naturally holds few of a genome-wide
# TF list.  What does signal a wrong species or identifier type (the rules,
# documented in ?infer_grn):
# - genes and TFs are of different ID types (Ensembl "ENS...G0001", Entrez
#   numbers, symbols): an error when nothing matches, else a warning;
# - the genes are title-case (mouse style) and the TF list is a human one:
#   upper-case and matching beeline_tfs("human") far better than
#   beeline_tfs("mouse") (upper case alone says nothing: BEELINE's mouse list
#   and its data are upper-cased, so upper-case genes are never a verdict);
# - a large gene set (>= 2000 genes) of which under 1% are TFs while under
#   20% of the TF list is found (a genome has 5-8% TFs).
#' @noRd
.match_tfs <- function(tfs, genes, verbose = TRUE, all_genes = NULL) {
  if (is.null(tfs)) return(genes)
  if (is.factor(tfs)) tfs <- as.character(tfs)
  if (!is.character(tfs) || length(tfs) == 0L) .grn_abort("tfs", "must be a non-empty character vector of gene symbols")
  tfs <- unique(tfs[!is.na(tfs) & tfs != ""])
  if (!length(tfs)) .grn_abort("tfs", "must be a non-empty character vector of gene symbols")
  hit <- toupper(genes) %in% toupper(tfs)
  found <- sum(toupper(tfs) %in% toupper(genes))
  id_g <- .id_type(genes)
  id_t <- .id_type(tfs)
  id_msg <- if (id_g != id_t) {
    sprintf("the genes of `x` look like %s (e.g. %s) but `tfs` like %s (e.g. %s); map both to the same identifiers first (e.g. with AnnotationDbi::mapIds() or the gene table of your pipeline)",
            .id_label[[id_g]], genes[1], .id_label[[id_t]], tfs[1])
  }
  if (!any(hit)) {
    if (!is.null(id_msg)) {
      .grn_abort("tfs", paste0("none of the ", length(tfs), " TFs is among the ", length(genes), " genes: ", id_msg),
                 class = "grntorch_id_mismatch")
    }
    in_x <- if (!is.null(all_genes)) sum(toupper(tfs) %in% toupper(all_genes)) else 0L
    if (in_x > 0L) {
      .grn_abort("tfs", sprintf("none of the %d TFs is among the %d genes chosen by `genes`, though %d of them are genes of `x`; add the TFs to `genes` (e.g. genes = select_genes(x, tfs)) or leave `genes` out",
                                length(tfs), length(genes), in_x))
    }
    .grn_abort("tfs", sprintf("none of the %d TFs is among the %d genes (matched case-insensitively); check the species and the gene identifiers (e.g. %s vs %s)",
                              length(tfs), length(genes), tfs[1], genes[1]))
  }
  frac <- found / length(tfs)
  .grn_inform(sprintf("grntorch: %d of %d TFs (%.0f%%) found among %d genes", found, length(tfs), 100 * frac, length(genes)),
              verbose)
  why <- NULL
  if (!is.null(id_msg)) {
    why <- paste0("only ", found, " of ", length(tfs), " TFs match: ", id_msg)
  } else if (.case_style(genes) == "title" && identical(.tf_list_species(tfs), "human")) {
    why <- sprintf("the TF list looks like human symbols (upper-case, and it matches beeline_tfs(\"human\") far better than beeline_tfs(\"mouse\")) but the genes are title-case like mouse symbols (e.g. %s); use the TF list of the data's species, e.g. beeline_tfs(\"mouse\")",
                   genes[1])
  } else if (length(genes) >= 2000L && sum(hit) < 0.01 * length(genes) && frac < 0.2) {
    why <- sprintf("only %d of %d genes (%.1f%%) are among the %d TFs and only %.0f%% of the TFs were found (a genome has 5-8%% TFs); check the TF list matches the data's species and identifiers",
                   sum(hit), length(genes), 100 * sum(hit) / length(genes), length(tfs), 100 * frac)
  }
  if (!is.null(why)) .grn_warn(paste0("`tfs`: ", why), class = "grntorch_low_tf_overlap", arg = "tfs")
  genes[hit]
}

#' @noRd
.id_label <- list(ensembl = "Ensembl gene IDs", entrez = "Entrez gene IDs (numbers)", symbol = "gene symbols")

# The identifier type most of `ids` have.
#' @noRd
.id_type <- function(ids) {
  s <- if (length(ids) > 2000L) ids[round(seq(1, length(ids), length.out = 2000L))] else ids
  if (mean(grepl("^ENS[A-Z]*G[0-9]{6,}(\\.[0-9]+)?$", s)) > 0.5) return("ensembl")
  if (mean(grepl("^[0-9]+$", s)) > 0.5) return("entrez")
  "symbol"
}

# "human" or "mouse" when an upper-case TF list is (almost) one of the two
# bundled BEELINE lists and clearly not the other (they share about 80% of
# their symbols); NULL when it cannot be told.
#' @noRd
.tf_list_species <- function(tfs) {
  if (.case_style(tfs) != "upper") return(NULL)
  sh <- mean(tfs %in% beeline_tfs("human"))
  sm <- mean(tfs %in% beeline_tfs("mouse"))
  if (sh >= 0.9 && sh - sm >= 0.1) return("human")
  if (sm >= 0.9 && sm - sh >= 0.1) return("mouse")
  NULL
}

# "upper" (SOX2: human style, or upper-cased), "title" (Sox2: mouse style) or
# "mixed", from the names that hold letters.
#' @noRd
.case_style <- function(ids) {
  s <- if (length(ids) > 2000L) ids[round(seq(1, length(ids), length.out = 2000L))] else ids
  s <- s[grepl("[A-Za-z]{2}", s)]
  if (!length(s)) return("mixed")
  if (mean(s == toupper(s)) > 0.9) return("upper")
  if (mean(grepl("^[A-Z][a-z0-9]", s) & grepl("[a-z]", s)) > 0.7) return("title")
  "mixed"
}

# The regulators still in the expression after the adapter dropped all-zero
# and constant genes; none left is an error on `tfs`.
#' @noRd
.kept_regulators <- function(regulators, expr) {
  kept <- regulators[regulators %in% rownames(expr)]
  if (!length(kept)) {
    .grn_abort("tfs", sprintf("all %d TFs found among the genes are all-zero or constant in `x` and were dropped (%s%s); no regulator is left",
                              length(regulators), paste(head(regulators, 5), collapse = ", "),
                              if (length(regulators) > 5) ", ..." else ""))
  }
  kept
}

# Two genes whose names differ only in case (Sox2 and SOX2): TFs and pairs
# are matched case-insensitively, so both would be taken for one name.
#' @noRd
.check_case_duplicates <- function(genes, arg) {
  up <- toupper(genes)
  d <- duplicated(up)
  if (!any(d)) return(invisible())
  ex <- unique(up[d])
  shown <- vapply(utils::head(ex, 3), function(u) paste(genes[up == u], collapse = " / "), "")
  .grn_warn(sprintf(paste0("`%s`: %d gene name(s) differ from another only in case (%s%s); TFs and labelled pairs are ",
                           "matched case-insensitively, so such genes cannot be told apart: rename or drop one of each"),
                    arg, length(ex), paste(shown, collapse = ", "), if (length(ex) > 3) ", ..." else ""),
            class = "grntorch_case_duplicates", arg = arg)
}

# A cells x genes matrix given where genes x cells is expected: its column
# names are the genes.  Signs (a warning naming `x`, class
# grntorch_transposed): `tfs` match the column names and not the row names;
# or, without `tfs`, the column names hold many known TFs (BEELINE's human or
# mouse lists) and the row names hardly any, or the row names look like
# 10x cell barcodes.  Up to 2,000 names of each side are looked at.
#' @noRd
.check_orientation <- function(src, tfs = NULL) {
  m <- src$m
  cn <- colnames(m)
  if (is.null(cn) || inherits(src$source, "Seurat") || methods::is(src$source, "SummarizedExperiment")) return(invisible())
  pick <- function(v) if (length(v) > 2000L) v[round(seq(1, length(v), length.out = 2000L))] else v
  rn <- pick(rownames(m))
  cn <- pick(cn)
  why <- NULL
  if (!is.null(tfs) && is.character(tfs) && length(tfs)) {
    tu <- toupper(tfs[!is.na(tfs)])
    in_r <- sum(toupper(rn) %in% tu)
    in_c <- sum(toupper(cn) %in% tu)
    if (in_c >= 2L && in_r == 0L) why <- sprintf("%d of `tfs` are among its column names and none among its row names", in_c)
  } else {
    known <- unique(toupper(c(beeline_tfs("human"), beeline_tfs("mouse"))))
    in_r <- sum(toupper(rn) %in% known)
    in_c <- sum(toupper(cn) %in% known)
    barcode <- mean(grepl("(^|[^A-Za-z])[ACGTN]{12,}(-[0-9]+)?($|[^A-Za-z])", rn))
    if (in_c >= 5L && in_c > 10 * in_r) {
      why <- sprintf("%d of its column names and %d of its row names are known TFs", in_c, in_r)
    } else if (barcode > 0.5 && mean(grepl("(^|[^A-Za-z])[ACGTN]{12,}(-[0-9]+)?($|[^A-Za-z])", cn)) < 0.1) {
      why <- sprintf("its row names look like cell barcodes (e.g. %s)", rn[1])
    }
  }
  if (is.null(why)) return(invisible())
  .grn_warn(sprintf("`%s` looks transposed (cells x genes): %s; grntorch expects genes as rows and cells as columns, e.g. t(%s)",
                    src$arg, why, src$arg), class = "grntorch_transposed", arg = src$arg)
}
