# Foundation-model gene embeddings as data.

#' Foundation-model gene embeddings
#'
#' Brings single-cell foundation-model (FM) gene embeddings into the shape
#' [scregnet()] and [sctransnet()] use: one row per gene.  Nothing is
#' downloaded; the FM itself never runs inside grntorch unless you give it as
#' a TorchScript module.
#'
#' `x` may be
#' * a genes x d numeric matrix (row names = genes; scBERT 200, scFoundation
#'   512 and Geneformer 896 are the reference widths);
#' * a cells x genes x d numeric array of per-cell gene embeddings (gene names
#'   from `dimnames(x)[[2]]` or `genes`), pooled over cells: `"mean"`
#'   (scRegNet) or `"attention"` (scTransNet: each gene's attention across
#'   cells, `attention[n, g] / sum_n attention[n, g]`, weighs its per-cell
#'   embeddings);
#' * the path of a Geneformer-style CSV: first column an Ensembl gene ID, the
#'   other columns the embedding; `mapping` (a data.frame whose first two
#'   columns are Ensembl ID and gene symbol, or a named character vector
#'   `c(ENSG... = "SYMBOL")`) renames the rows to symbols;
#' * the path of a TorchScript module (`.pt`, saved with `torch.jit.save`),
#'   run on `expression`: its `forward(x)` receives a cells x genes float
#'   tensor and returns cells x genes x d embeddings, or a tuple
#'   `(embeddings, attention)` with attention cells x genes.
#'
#' Genes without an embedding (unmapped IDs, non-finite rows) are reported in
#' `$unmapped`; genes of the expression without an embedding are reported
#' when a model is fitted.
#'
#' @param x see Details.
#' @param genes gene names when `x` carries none (rows of a matrix, the second
#'   dimension of an array).
#' @param attention cells x genes non-negative weights for `pooling = "attention"`.
#' @param pooling `"mean"` or `"attention"` (array or TorchScript input).
#' @param mapping Ensembl ID to symbol table for a CSV.
#' @param expression genes x cells numeric matrix with gene row names, the
#'   input of a TorchScript module.
#' @param batch_cells cells per TorchScript call.
#' @template param-threads
#' @param verbose report progress and unmapped genes.
#' @return An object of class `grn_fm_embeddings`: a list with `embeddings`
#'   (genes x d matrix), `pooling`, `source` and `unmapped` (character).
#' @examples
#' ex <- grntorch_example()
#' e <- fm_embeddings(ex$embeddings)
#' e
#' # per-cell embeddings with attention weights (toy: 5 cells, 3 genes, d = 2)
#' a <- array(rnorm(30), c(5, 3, 2), dimnames = list(NULL, c("A", "B", "C"), NULL))
#' fm_embeddings(a, attention = matrix(runif(15), 5, 3), pooling = "attention")$embeddings
#' @export
fm_embeddings <- function(x, genes = NULL, attention = NULL, pooling = c("mean", "attention"), mapping = NULL,
                          expression = NULL, batch_cells = 64, threads = NULL, verbose = FALSE) {
  pooling <- .match_choice(pooling, "pooling", c("mean", "attention"))
  verbose <- .check_flag(verbose, "verbose")
  if (inherits(x, "grn_fm_embeddings")) return(x)
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    if (!file.exists(x)) .grn_abort("x", sprintf("file \"%s\" does not exist", x))
    if (grepl("\\.(pt|pth|torchscript)$", x, ignore.case = TRUE)) {
      .check_torchscript_file(x)
      return(.fm_from_torchscript(x, expression, pooling, batch_cells, threads, verbose))
    }
    return(.fm_from_csv(x, mapping, verbose))
  }
  if (is.data.frame(x)) x <- as.matrix(x)
  if (!is.numeric(x)) .grn_abort("x", "must be a numeric genes x d matrix, a cells x genes x d array, or a CSV / TorchScript file path")
  d <- dim(x)
  if (length(d) == 2L) {
    if (!is.null(attention) || pooling == "attention") .grn_abort("attention", "attentive pooling needs a cells x genes x d array, not a genes x d matrix")
    m <- x
    if (!is.null(genes)) {
      if (length(genes) != nrow(m)) .grn_abort("genes", sprintf("has %d names for %d embedding rows", length(genes), nrow(m)))
      rownames(m) <- genes
    }
    return(.new_fm(m, "none", "matrix", verbose))
  }
  if (length(d) != 3L) .grn_abort("x", sprintf("must have 2 (genes x d) or 3 (cells x genes x d) dimensions, not %d", length(d)))
  gn <- if (!is.null(genes)) genes else dimnames(x)[[2]]
  if (is.null(gn)) .grn_abort("genes", "give gene names (the array has no dimnames for its second dimension)")
  if (length(gn) != d[2]) .grn_abort("genes", sprintf("has %d names for %d genes", length(gn), d[2]))
  if (pooling == "mean") {
    if (!is.null(attention)) .grn_abort("attention", "is only used with pooling = \"attention\"")
    m <- colMeans(x, dims = 1)
  } else {
    if (is.null(attention)) .grn_abort("attention", "pooling = \"attention\" needs cells x genes attention weights")
    attention <- as.matrix(attention)
    if (!is.numeric(attention) || !identical(dim(attention), d[1:2])) {
      .grn_abort("attention", sprintf("must be a numeric %d x %d (cells x genes) matrix", d[1], d[2]))
    }
    if (anyNA(attention) || any(!is.finite(attention)) || any(attention < 0)) .grn_abort("attention", "must be finite and non-negative")
    den <- colSums(attention)
    w <- sweep(attention, 2, ifelse(den > 0, den, 1), "/")
    w[, den == 0] <- 1 / d[1]  # a gene never attended to: mean pooling
    m <- matrix(0, d[2], d[3])
    for (k in seq_len(d[3])) m[, k] <- colSums(w * x[, , k])
  }
  m <- matrix(m, d[2], d[3])
  rownames(m) <- gn
  .new_fm(m, pooling, "array", verbose)
}

#' @noRd
.new_fm <- function(m, pooling, source, verbose, unmapped = character()) {
  storage.mode(m) <- "double"
  if (is.null(rownames(m))) .grn_abort("x", "embedding rows need gene names (row names or `genes`)")
  if (ncol(m) < 1L) .grn_abort("x", "has no embedding dimensions (0 columns); need a genes x d matrix with d >= 1")
  bad <- !stats::complete.cases(m) | rowSums(!is.finite(m)) > 0
  if (any(bad)) {
    # shown whatever `verbose` says: scRegNet / scTransNet give these genes the
    # mean embedding (infosem() refuses such a matrix)
    .grn_warn(sprintf(paste("%d gene(s) have NA/NaN/Inf embedding values and are treated as having no embedding",
                            "(scRegNet and scTransNet give them the mean embedding): %s%s"),
                      sum(bad), paste(utils::head(rownames(m)[bad], 5), collapse = ", "), if (sum(bad) > 5) ", ..." else ""),
              class = "grntorch_na_embeddings", arg = "x")
    unmapped <- c(unmapped, rownames(m)[bad])
    m <- m[!bad, , drop = FALSE]
  }
  if (nrow(m) == 0L) .grn_abort("x", "no gene has a finite embedding")
  dup <- duplicated(toupper(rownames(m)))
  if (any(dup)) m <- m[!dup, , drop = FALSE]
  if (length(unmapped)) .grn_inform(sprintf("%d gene(s) without an embedding: %s%s", length(unmapped),
                                            paste(utils::head(unmapped, 5), collapse = ", "),
                                            if (length(unmapped) > 5) ", ..." else ""), verbose)
  structure(list(embeddings = m, pooling = pooling, source = source, unmapped = unmapped),
            class = "grn_fm_embeddings")
}

#' @noRd
.fm_from_csv <- function(path, mapping, verbose) {
  df <- utils::read.csv(path, check.names = FALSE, stringsAsFactors = FALSE)
  if (ncol(df) < 2L) .grn_abort("x", "the CSV needs an ID column and at least one embedding column")
  ids <- as.character(df[[1]])
  m <- as.matrix(df[-1])
  if (!is.numeric(m)) .grn_abort("x", "the CSV's embedding columns (all but the first) must be numeric")
  unmapped <- character()
  if (!is.null(mapping)) {
    if (is.data.frame(mapping)) {
      if (ncol(mapping) < 2L) .grn_abort("mapping", "needs two columns: Ensembl ID and gene symbol")
      map <- stats::setNames(as.character(mapping[[2]]), sub("\\.[0-9]+$", "", as.character(mapping[[1]])))
    } else if (is.character(mapping) && !is.null(names(mapping))) {
      map <- stats::setNames(as.character(mapping), sub("\\.[0-9]+$", "", names(mapping)))
    } else {
      .grn_abort("mapping", "must be a data.frame (Ensembl ID, symbol) or a named character vector")
    }
    sym <- unname(map[sub("\\.[0-9]+$", "", ids)])
    miss <- is.na(sym) | sym == ""
    if (all(miss)) .grn_abort("mapping", "maps none of the CSV's IDs to a gene symbol")
    unmapped <- ids[miss]
    m <- m[!miss, , drop = FALSE]
    ids <- sym[!miss]
  }
  rownames(m) <- ids
  .new_fm(m, "none", "csv", verbose, unmapped)
}

# A TorchScript module saved by torch.jit.save() is a zip archive: anything
# else (a text file, an empty file, a .npy renamed .pt) is refused here,
# naming `x`, before LibTorch's reader reports a missing central directory.
#' @noRd
.check_torchscript_file <- function(path) {
  size <- file.size(path)
  con <- file(path, "rb")
  head <- tryCatch(readBin(con, "raw", 4L), finally = close(con))
  if (isTRUE(size == 0) || length(head) < 4L || !identical(head, as.raw(c(0x50, 0x4b, 0x03, 0x04)))) {
    .grn_abort("x", sprintf(paste0("\"%s\" is not a TorchScript module: %s; a module saved with torch.jit.save() ",
                                   "is a zip archive (a genes x d embedding table goes in a .csv, or as a matrix)"),
                            path, if (isTRUE(size == 0)) "the file is empty" else "it is not a zip archive"))
  }
  invisible()
}

#' @noRd
.fm_from_torchscript <- function(path, expression, pooling, batch_cells, threads, verbose) {
  if (is.null(expression)) .grn_abort("expression", "a TorchScript module needs the genes x cells expression to run on")
  if (inherits(expression, "Matrix")) expression <- as.matrix(expression)
  if (!is.matrix(expression) || !is.numeric(expression)) .grn_abort("expression", "must be a numeric genes x cells matrix")
  if (is.null(rownames(expression))) .grn_abort("expression", "needs gene names as row names")
  storage.mode(expression) <- "double"
  batch_cells <- .check_scalar_int(batch_cells, "batch_cells", min = 1, max = 1e9)
  opts <- list(batch_cells = batch_cells, threads = .resolve_threads(threads), verbose = isTRUE(verbose))
  res <- .engine_call(.grn_torchscript_embeddings(normalizePath(path), expression, opts))
  if (pooling == "attention") {
    if (is.null(res$attentive)) .grn_abort("pooling", "the TorchScript module returns no attention (a tuple (embeddings, attention)); use pooling = \"mean\"")
    m <- res$attentive
  } else {
    m <- res$mean
  }
  rownames(m) <- rownames(expression)
  .new_fm(m, pooling, "torchscript", verbose)
}

#' @method print grn_fm_embeddings
#' @export
print.grn_fm_embeddings <- function(x, ...) {
  cat(sprintf("<grntorch FM embeddings: %d genes x %d dims; source %s; pooling %s%s>\n", nrow(x$embeddings),
              ncol(x$embeddings), x$source, x$pooling,
              if (length(x$unmapped)) sprintf("; %d without an embedding", length(x$unmapped)) else ""))
  invisible(x)
}

# Embeddings argument of scregnet() / sctransnet().
#' @noRd
.as_fm_embeddings <- function(embeddings, embedding_dim = NULL) {
  emb <- withCallingHandlers(
    tryCatch(fm_embeddings(embeddings), grntorch_error = function(e) {
      .grn_abort("embeddings", sub("^`[^`]*`: ", "", conditionMessage(e)))
    }),
    grntorch_na_embeddings = function(w) {   # fm_embeddings() names its `x`: here it is `embeddings`
      .grn_warn(paste0("`embeddings`: ", conditionMessage(w)), class = "grntorch_na_embeddings", arg = "embeddings")
      invokeRestart("muffleWarning")
    })
  if (!is.null(embedding_dim)) {
    embedding_dim <- .check_scalar_int(embedding_dim, "embedding_dim", min = 1)
    if (ncol(emb$embeddings) != embedding_dim) {
      .grn_abort("embeddings", sprintf("have %d dimensions, but embedding_dim = %d was expected", ncol(emb$embeddings), embedding_dim))
    }
  }
  emb
}
