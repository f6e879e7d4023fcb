# Gene embeddings: reading them in any form a user has, matching them to the
# genes of an expression matrix, and building GO embeddings with no download.

#' Read gene embeddings and match them to genes
#'
#' Gene embeddings (one d-dimensional vector per gene, e.g. BioBERT or GenePT
#' embeddings of gene names, or [gene_embeddings_go()]) are the prior
#' information of [infosem()].  `read_embeddings()` accepts them in any form
#' and returns a genes x d numeric matrix with gene symbols as row names,
#' optionally matched to a set of genes.
#'
#' @section Inputs:
#' \describe{
#'   \item{matrix / data.frame}{genes x d, genes in the row names (or, for a
#'     data.frame, in the column named by `gene_column`).}
#'   \item{`.npy` file}{NumPy format v1, v2 or v3, 2-D, dtype float32,
#'     float64, int32 or int64 (either byte order, C or Fortran order).  A
#'     `.npy` file has no gene names: give them in `row_names` (a character
#'     vector or a text file with one name per line).}
#'   \item{`.csv` / `.tsv` / `.txt` file (optionally `.gz`)}{one row per gene
#'     with a header; the gene column is `gene_column` (default: a column named
#'     `gene`, `symbol`, `gene_symbol` or `name`, case-insensitive, else the
#'     first column when it is not numeric).}
#'   \item{`.rds` file}{a saved matrix or data.frame as above.}
#' }
#' `skip` drops leading rows (after reading, before names are attached when
#' `row_names` has as many entries as the file has rows): the scGREAT BioBERT
#' files start with a junk row, the embedding of the word "Gene", so use
#' `skip = 1` for them.
#'
#' @section Matching and missing genes:
#' When `genes` is given, embedding rows are matched to `genes` by symbol,
#' case-insensitively (BEELINE upper-cases mouse symbols), whatever their
#' order.  Genes without an embedding are reported (a message when
#' `verbose`, a warning when more than half are missing) and get the
#' fallback chosen by `missing`:
#' \describe{
#'   \item{`"mean"` (default)}{the mean embedding of the matched genes, i.e.
#'     "an average gene": after the centring done by [infosem()] this is the
#'     zero vector, so the gene's own term in the prior mean vanishes.}
#'   \item{`"zero"`}{the zero vector (sensible for embeddings that are
#'     already centred).}
#'   \item{`"error"`}{stop with an error naming the missing genes.}
#' }
#' The result records the missing genes in `attr(, "missing")`.  Duplicated
#' symbols (case-insensitively) in the embedding keep their first row.
#'
#' @param x a genes x d matrix or data.frame, or a file path
#'   (`.npy`, `.csv`, `.tsv`, `.txt`, possibly gzipped, or `.rds`).
#' @param genes optional character vector of genes to match (e.g. the row
#'   names of the expression); the result then has exactly these rows, in
#'   this order.
#' @param row_names for `.npy` files (or unnamed matrices): gene names, a
#'   character vector or the path of a text file with one name per line.
#' @param skip number of leading rows to drop (e.g. `1` for a junk header
#'   row).
#' @param gene_column for tables: the name or index of the gene column.
#' @param n_components optional number of principal components to keep (PCA,
#'   centred, computed on the matched genes when `genes` is given); `NULL`
#'   keeps all dimensions.
#' @param missing fallback for genes without an embedding: `"mean"`,
#'   `"zero"` or `"error"`.
#' @param verbose report the matching.
#' @return A numeric matrix, genes x d (or x `n_components`), with gene row
#'   names, and attributes `missing` (genes given no embedding; only when
#'   `genes` is given) and, after PCA, `variance_explained`.
#' @seealso [gene_embeddings_go()], [infosem()]
#' @examples
#' ex <- grntorch_example()
#' emb <- ex$embeddings[rev(rownames(ex$embeddings)), 1:8]  # rows in another order
#' m <- read_embeddings(emb, genes = c(rownames(ex$expression)[1:20], "NOT_A_GENE"), verbose = TRUE)
#' dim(m)
#' attr(m, "missing")
#' # a file
#' f <- tempfile(fileext = ".csv")
#' write.csv(data.frame(gene = rownames(emb), emb), f, row.names = FALSE)
#' dim(read_embeddings(f, n_components = 3))
#' @export
read_embeddings <- function(x, genes = NULL, row_names = NULL, skip = 0L, gene_column = NULL,
                            n_components = NULL, missing = c("mean", "zero", "error"),
                            verbose = interactive()) {
  verbose <- .check_flag(verbose, "verbose")
  missing <- .match_choice(missing, "missing", c("mean", "zero", "error"))
  skip <- .check_scalar_int(skip, "skip", min = 0)
  if (!is.null(genes) && (!is.character(genes) || anyNA(genes) || !length(genes))) {
    .grn_abort("genes", "must be a non-empty character vector of gene names")
  }
  m <- .read_embedding_source(x, row_names = row_names, skip = skip, gene_column = gene_column)
  if (!is.null(genes)) m <- .match_embeddings(m, genes, missing = missing, verbose = verbose, arg = "x")
  if (!is.null(n_components)) {
    miss <- attr(m, "missing")
    n_components <- .check_scalar_int(n_components, "n_components", min = 1)
    use <- if (length(miss)) !(rownames(m) %in% miss) else rep(TRUE, nrow(m))
    m <- .pca_reduce(m, n_components, use)
    attr(m, "missing") <- miss
  }
  m
}

# Read any supported source into a numeric matrix with unique row names.
#' @noRd
.read_embedding_source <- function(x, row_names = NULL, skip = 0L, gene_column = NULL) {
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    if (!file.exists(x)) .grn_abort("x", sprintf("file \"%s\" does not exist", x))
    lower <- tolower(sub("\\.gz$", "", x, ignore.case = TRUE))
    ext <- if (grepl("\\.([[:alnum:]]+)$", lower)) sub(".*\\.([[:alnum:]]+)$", "\\1", lower) else ""
    path <- x
    read_table <- function(reader) {
      tryCatch(reader(path, check.names = FALSE, stringsAsFactors = FALSE), error = function(e) {
        .grn_abort("x", sprintf("\"%s\" could not be read as a table (%s)%s", path, conditionMessage(e),
                                if (isTRUE(file.size(path) == 0)) ": the file is empty" else ""))
      })
    }
    x <- switch(ext,
      npy = .read_npy(x),
      rds = tryCatch(readRDS(x), error = function(e) .grn_abort("x", sprintf("\"%s\" could not be read as an .rds file (%s)", path, conditionMessage(e)))),
      csv = read_table(utils::read.csv),
      tsv = , txt = , tab = read_table(utils::read.delim),
      .grn_abort("x", sprintf("unsupported file type \".%s\": use .npy, .csv, .tsv, .txt or .rds", ext)))
  }
  if (is.data.frame(x)) {
    gc <- .find_gene_column(x, gene_column)
    if (!is.null(gc)) {
      nm <- as.character(x[[gc]])
      x <- x[, -gc, drop = FALSE]
    } else {
      nm <- if (.row_names_are_automatic(x)) NULL else rownames(x)
    }
    num <- vapply(x, is.numeric, logical(1))
    if (!all(num)) {
      .grn_abort("x", sprintf("non-numeric column(s) besides the gene column: %s",
                              paste(utils::head(names(x)[!num], 5), collapse = ", ")))
    }
    x <- as.matrix(x)
    storage.mode(x) <- "double"
    rownames(x) <- nm
  }
  if (inherits(x, "Matrix")) x <- as.matrix(x)
  if (!is.matrix(x) || !is.numeric(x)) {
    .grn_abort("x", "must be a numeric genes x d matrix, a data.frame with a gene column, or a file path")
  }
  storage.mode(x) <- "double"
  if (ncol(x) < 1L || nrow(x) < 1L) .grn_abort("x", "has no rows or no columns")
  n_file <- nrow(x)
  if (!is.null(row_names)) {
    if (is.character(row_names) && length(row_names) == 1L && file.exists(row_names)) {
      row_names <- readLines(row_names, warn = FALSE)
      row_names <- row_names[nzchar(trimws(row_names)) | seq_along(row_names) <= n_file]
    }
    if (!is.character(row_names) || anyNA(row_names)) .grn_abort("row_names", "must be a character vector or a text file of gene names")
    if (length(row_names) == n_file) {
      rownames(x) <- row_names
    } else if (length(row_names) == n_file - skip) {
      x <- x[seq.int(skip + 1L, length.out = n_file - skip), , drop = FALSE]
      rownames(x) <- row_names
      skip <- 0L
    } else {
      .grn_abort("row_names", sprintf("has %d names but the embedding has %d rows (%d after skip = %d)",
                                      length(row_names), n_file, n_file - skip, skip))
    }
  }
  if (skip > 0L) {
    if (skip >= nrow(x)) .grn_abort("skip", sprintf("drops all %d rows", nrow(x)))
    x <- x[-seq_len(skip), , drop = FALSE]
  }
  if (is.null(rownames(x))) {
    .grn_abort("row_names", "the embedding has no gene names: give row names, a gene column, or `row_names`")
  }
  if (any(!is.finite(x))) {
    bad <- which(rowSums(!is.finite(x)) > 0)
    .grn_abort("x", sprintf("contains NA/NaN/Inf values (rows %s)", paste(utils::head(rownames(x)[bad], 5), collapse = ", ")))
  }
  rn <- rownames(x)
  if (anyNA(rn) || any(!nzchar(rn))) .grn_abort("x", "has empty or missing gene names")
  dup <- duplicated(toupper(rn))
  if (any(dup)) x <- x[!dup, , drop = FALSE]
  x
}

#' @noRd
.row_names_are_automatic <- function(df) {
  rn <- attr(df, "row.names")
  is.integer(rn) || identical(rownames(df), as.character(seq_len(nrow(df))))
}

#' @noRd
.find_gene_column <- function(df, gene_column) {
  if (!is.null(gene_column)) {
    if (is.numeric(gene_column) && length(gene_column) == 1L && gene_column >= 1 && gene_column <= ncol(df)) {
      return(as.integer(gene_column))
    }
    if (is.character(gene_column) && length(gene_column) == 1L && gene_column %in% names(df)) {
      return(match(gene_column, names(df)))
    }
    .grn_abort("gene_column", sprintf("not a column of the table (columns: %s)",
                                      paste(utils::head(names(df), 6), collapse = ", ")))
  }
  hit <- match(c("gene", "symbol", "gene_symbol", "genesymbol", "gene_name", "name"), tolower(names(df)))
  hit <- hit[!is.na(hit)]
  if (length(hit)) return(hit[1])
  if (ncol(df) > 1L && !is.numeric(df[[1]])) return(1L)
  NULL
}

# Parse a NumPy .npy file (format 1.0, 2.0, 3.0) holding a 2-D numeric array.
# The header is checked against the file before anything is allocated: its
# length, the shape (two whole numbers >= 0) and the dtype must describe
# exactly the bytes the file holds, so a corrupt or hostile header (a shape
# of 1e8 x 768, a header length of 2e9) is an error naming `x`, not an
# allocation of hundreds of GB.
#' @noRd
.read_npy <- function(path) {
  size <- file.size(path)
  bad <- function(why) .grn_abort("x", sprintf("\"%s\" is not a valid NumPy .npy file: %s", path, why))
  con <- file(path, "rb")
  on.exit(close(con))
  magic <- readBin(con, "raw", 6L)
  if (length(magic) < 6L || !identical(magic, as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)))) {
    .grn_abort("x", sprintf("\"%s\" is not a NumPy .npy file (bad magic string)", path))
  }
  ver <- as.integer(readBin(con, "raw", 2L))
  if (length(ver) < 2L) bad("the file ends inside its header")
  hlen <- if (ver[1] == 1L) {
    readBin(con, "integer", 1L, size = 2L, signed = FALSE, endian = "little")
  } else if (ver[1] %in% c(2L, 3L)) {
    # a 4-byte unsigned length: read as two 16-bit words (R integers are signed)
    w <- readBin(con, "integer", 2L, size = 2L, signed = FALSE, endian = "little")
    if (length(w) == 2L) w[1] + 65536 * w[2] else integer()
  } else {
    .grn_abort("x", sprintf("unsupported .npy format version %d.%d", ver[1], ver[2]))
  }
  if (length(hlen) != 1L) bad("the file ends inside its header")
  offset <- 6 + 2 + (if (ver[1] == 1L) 2 else 4) + hlen
  if (hlen < 1 || offset > size) {
    bad(sprintf("its header claims %s bytes but the file has %s", format(hlen, scientific = FALSE, big.mark = ","),
                format(size, big.mark = ",")))
  }
  raw_header <- readBin(con, "raw", hlen)
  if (any(raw_header == as.raw(0)) || any(raw_header > as.raw(0x7e) & raw_header != as.raw(0x0a))) {
    bad("its header is not a text dictionary")
  }
  header <- rawToChar(raw_header)
  if (!grepl("'descr'", header, fixed = TRUE) || !grepl("'shape'", header, fixed = TRUE)) {
    bad(sprintf("its header has no 'descr' or 'shape' (%s)", .clip_text(header)))
  }
  descr <- sub(".*'descr'\\s*:\\s*'([^']+)'.*", "\\1", header)
  fortran <- grepl("'fortran_order'\\s*:\\s*True", header)
  shape_txt <- sub(".*'shape'\\s*:\\s*\\(([^)]*)\\).*", "\\1", header)
  parts <- strsplit(gsub("\\s", "", shape_txt), ",")[[1]]
  parts <- parts[nzchar(parts)]
  if (length(parts) != 2L) {
    .grn_abort("x", sprintf(".npy array must be 2-D (genes x d), not shape (%s)", .clip_text(shape_txt)))
  }
  if (!all(grepl("^[0-9]{1,15}$", parts))) {
    bad(sprintf("its shape (%s) is not two whole numbers >= 0", .clip_text(shape_txt)))
  }
  shape <- as.numeric(parts)
  endian <- switch(substr(descr, 1, 1), "<" = "little", ">" = "big", "|" = , "=" = .Platform$endian,
                   .grn_abort("x", sprintf("unsupported .npy dtype '%s'", .clip_text(descr))))
  type <- substr(descr, 2, nchar(descr))
  item <- switch(type, f4 = 4, f8 = 8, i4 = 4, i8 = 8,
                 .grn_abort("x", sprintf("unsupported .npy dtype '%s' (use float32, float64, int32 or int64)", .clip_text(descr))))
  n <- shape[1] * shape[2]
  if (n == 0) .grn_abort("x", sprintf("\"%s\" holds an empty array (shape %s x %s)", path, parts[1], parts[2]))
  if (size - offset < n * item) {
    .grn_abort("x", sprintf("\"%s\" is truncated: its header claims %s x %s values (%s bytes) but the file holds %s bytes of data",
                            path, format(shape[1], scientific = FALSE, big.mark = ","),
                            format(shape[2], scientific = FALSE, big.mark = ","),
                            format(n * item, scientific = FALSE, big.mark = ","), format(size - offset, big.mark = ",")))
  }
  if (n > .Machine$integer.max) {
    .grn_abort("x", sprintf("\"%s\" holds %s values, more than R can read at once", path, format(n, big.mark = ",")))
  }
  vals <- switch(type,
    f4 = readBin(con, "numeric", n, size = 4L, endian = endian),
    f8 = readBin(con, "numeric", n, size = 8L, endian = endian),
    i4 = readBin(con, "integer", n, size = 4L, endian = endian),
    # readBin cannot read 64-bit integers directly: two 32-bit words
    i8 = {
      w <- readBin(con, "integer", 2 * n, size = 4L, endian = endian)
      lo <- w[c(TRUE, FALSE)]; hi <- w[c(FALSE, TRUE)]
      if (endian == "big") { tmp <- lo; lo <- hi; hi <- tmp }
      hi * 2^32 + ifelse(lo < 0, lo + 2^32, lo)
    })
  if (length(vals) != n) {
    .grn_abort("x", sprintf("\"%s\" is truncated: expected %s values, found %s", path, format(n, big.mark = ","),
                            format(length(vals), big.mark = ",")))
  }
  matrix(as.numeric(vals), nrow = shape[1], ncol = shape[2], byrow = !fortran)
}

# At most `n` characters of a text for a message, control characters dropped.
#' @noRd
.clip_text <- function(x, n = 60) {
  x <- gsub("[[:cntrl:]]", " ", x)
  if (nchar(x) > n) paste0(substr(x, 1, n), "...") else x
}

# Match embedding rows to genes (case-insensitive), filling the missing ones.
#' @noRd
.match_embeddings <- function(emb, genes, missing = "mean", verbose = FALSE, arg = "embeddings") {
  idx <- match(toupper(genes), toupper(rownames(emb)))
  miss <- genes[is.na(idx)]
  n_found <- sum(!is.na(idx))
  if (n_found == 0L) {
    .grn_abort(arg, sprintf("no gene has an embedding: none of the %d genes (e.g. %s) matches the embedding's row names (e.g. %s)",
                            length(genes), paste(utils::head(genes, 3), collapse = ", "),
                            paste(utils::head(rownames(emb), 3), collapse = ", ")))
  }
  if (length(miss) && missing == "error") {
    .grn_abort(arg, sprintf("%d of %d genes have no embedding: %s%s", length(miss), length(genes),
                            paste(utils::head(miss, 8), collapse = ", "), if (length(miss) > 8) ", ..." else ""))
  }
  out <- matrix(0, length(genes), ncol(emb), dimnames = list(genes, colnames(emb)))
  out[!is.na(idx), ] <- emb[idx[!is.na(idx)], , drop = FALSE]
  if (length(miss) && missing == "mean") {
    out[is.na(idx), ] <- rep(colMeans(emb[idx[!is.na(idx)], , drop = FALSE]), each = length(miss))
  }
  msg <- sprintf("embeddings: %d of %d genes matched (%.0f%%)%s", n_found, length(genes), 100 * n_found / length(genes),
                 if (length(miss)) sprintf("; %d without an embedding get the %s embedding: %s%s", length(miss),
                                           missing, paste(utils::head(miss, 6), collapse = ", "),
                                           if (length(miss) > 6) ", ..." else "") else "")
  if (length(miss) > length(genes) / 2) {
    .grn_warn(paste0(msg, " - fewer than half the genes matched; check the gene names of the embedding"),
              class = "grntorch_embedding_mismatch")
  } else {
    .grn_inform(msg, verbose)
  }
  attr(out, "missing") <- miss
  out
}

# Centred PCA to k components, fitted on the rows `use`, applied to all rows.
#' @noRd
.pca_reduce <- function(m, k, use = rep(TRUE, nrow(m))) {
  k <- min(k, ncol(m), sum(use))
  mu <- colMeans(m[use, , drop = FALSE])
  xc <- sweep(m, 2L, mu)
  s <- svd(xc[use, , drop = FALSE], nu = 0L, nv = k)
  out <- xc %*% s$v[, seq_len(k), drop = FALSE]
  dimnames(out) <- list(rownames(m), paste0("PC", seq_len(k)))
  attr(out, "variance_explained") <- sum(s$d[seq_len(k)]^2) / sum(s$d^2)
  out
}

#' Gene embeddings from Gene Ontology annotations (no download)
#'
#' Builds gene embeddings from the GO annotations in the Bioconductor
#' annotation packages `org.Hs.eg.db` and `GO.db` (installed locally; nothing
#' is downloaded): symbols are mapped to Entrez IDs (upper-case symbol first,
#' then unambiguous aliases), each gene gets the set of GO terms it is
#' annotated with, propagated to all their ancestors in `GO.db` (the true
#' path rule), the gene x term incidence matrix is weighted by TF-IDF (term
#' weight `log(N / n_t)` for a term annotated to `n_t` of the `N` annotated
#' genes, rows then scaled to unit length), and reduced by a truncated SVD
#' to `n_components` dimensions (gene coordinates `U D`).
#'
#' The annotation is human; mouse genes in BEELINE are upper-cased symbols,
#' most of which equal their human orthologue's symbol, so this also gives
#' usable embeddings for mouse data (the report says how many matched).
#' Genes with no GO annotation get an all-zero row and are listed in
#' `attr(, "missing")`, so the result can be given straight to [infosem()]
#' (a zero row is the mean of the centred embedding).
#'
#' @param genes character vector of gene symbols.
#' @param ontology GO branches to use, any of `"BP"`, `"MF"`, `"CC"`.
#' @param n_components number of SVD dimensions (capped by the number of
#'   annotated genes and terms).
#' @param min_genes drop terms annotated to fewer than this many of `genes`
#'   (they cannot make two genes similar).
#' @param max_fraction drop terms annotated to more than this fraction of the
#'   annotated genes (uninformative, e.g. the ontology roots).
#' @param exclude_iea drop annotations with evidence code `IEA` (electronic).
#' @param verbose report how many genes got a non-empty GO profile.
#' @return A numeric matrix, `length(genes)` x `n_components`, row names
#'   `genes`, with attributes `missing` (genes without a GO profile),
#'   `n_annotated`, `n_terms` and `variance_explained`.
#' @seealso [read_embeddings()], [infosem()]
#' @examples
#' if (requireNamespace("org.Hs.eg.db", quietly = TRUE) && requireNamespace("GO.db", quietly = TRUE)) {
#'   e <- gene_embeddings_go(c("TP53", "MDM2", "CDKN1A", "MYC", "MAX", "NOTAGENE"),
#'                           ontology = "MF", n_components = 3, verbose = TRUE)
#'   round(e, 2)
#' }
#' @export
gene_embeddings_go <- function(genes, ontology = c("BP", "MF", "CC"), n_components = 64L,
                               min_genes = 2L, max_fraction = 0.5, exclude_iea = FALSE,
                               verbose = interactive()) {
  if (!is.character(genes) || !length(genes) || anyNA(genes)) .grn_abort("genes", "must be a non-empty character vector of gene symbols")
  if (anyDuplicated(toupper(genes))) .grn_abort("genes", "contains duplicated symbols (case-insensitively)")
  if (!is.character(ontology) || !length(ontology) || !all(ontology %in% c("BP", "MF", "CC"))) {
    .grn_abort("ontology", "must be a subset of \"BP\", \"MF\", \"CC\"")
  }
  ontology <- unique(ontology)
  n_components <- .check_scalar_int(n_components, "n_components", min = 1)
  min_genes <- .check_scalar_int(min_genes, "min_genes", min = 1)
  max_fraction <- .check_scalar_num(max_fraction, "max_fraction", min = 0, max = 1, open_min = TRUE)
  exclude_iea <- .check_flag(exclude_iea, "exclude_iea")
  verbose <- .check_flag(verbose, "verbose")
  for (p in c("AnnotationDbi", "org.Hs.eg.db", "GO.db")) {
    if (!requireNamespace(p, quietly = TRUE)) {
      .grn_abort(NULL, sprintf("gene_embeddings_go() needs the Bioconductor package '%s' (Debian: apt-get install r-bioc-%s)",
                               p, tolower(p)), class = "grntorch_missing_package")
    }
  }
  orgdb <- getExportedValue("org.Hs.eg.db", "org.Hs.eg.db")
  godb <- getExportedValue("GO.db", "GO.db")
  sel <- function(db, keys, keytype, columns) {
    suppressMessages(AnnotationDbi::select(db, keys = keys, keytype = keytype, columns = columns))
  }
  up <- unique(toupper(genes))
  # 1. symbol -> Entrez (symbols first, then unambiguous aliases)
  valid_sym <- intersect(up, AnnotationDbi::keys(orgdb, keytype = "SYMBOL"))
  s2e <- if (length(valid_sym)) sel(orgdb, valid_sym, "SYMBOL", "ENTREZID") else data.frame(SYMBOL = character(), ENTREZID = character())
  s2e <- s2e[!is.na(s2e$ENTREZID) & !duplicated(s2e$SYMBOL), c("SYMBOL", "ENTREZID")]
  rest <- intersect(setdiff(up, s2e$SYMBOL), AnnotationDbi::keys(orgdb, keytype = "ALIAS"))
  n_alias <- 0L
  if (length(rest)) {
    a2e <- sel(orgdb, rest, "ALIAS", "ENTREZID")
    a2e <- a2e[!is.na(a2e$ENTREZID), ]
    amb <- a2e$ALIAS[duplicated(a2e$ALIAS)]
    a2e <- a2e[!a2e$ALIAS %in% amb, ]
    n_alias <- nrow(a2e)
    if (n_alias) s2e <- rbind(s2e, data.frame(SYMBOL = a2e$ALIAS, ENTREZID = a2e$ENTREZID))
  }
  # 2. Entrez -> direct GO annotations
  ann <- if (nrow(s2e)) sel(orgdb, unique(s2e$ENTREZID), "ENTREZID", c("GO", "EVIDENCE", "ONTOLOGY")) else NULL
  if (!is.null(ann)) {
    ann <- ann[!is.na(ann$GO) & ann$ONTOLOGY %in% ontology, , drop = FALSE]
    if (exclude_iea) ann <- ann[ann$EVIDENCE != "IEA", , drop = FALSE]
    ann <- unique(ann[, c("ENTREZID", "GO", "ONTOLOGY")])
  }
  # 3. propagate to ancestors (GO.db)
  pairs <- NULL
  if (!is.null(ann) && nrow(ann)) {
    pieces <- list(ann[, c("ENTREZID", "GO")])
    for (ont in intersect(ontology, unique(ann$ONTOLOGY))) {
      terms <- unique(ann$GO[ann$ONTOLOGY == ont])
      map <- getExportedValue("GO.db", paste0("GO", ont, "ANCESTOR"))
      anc <- AnnotationDbi::mget(terms, map, ifnotfound = NA)
      lens <- lengths(anc)
      t2a <- data.frame(GO = rep(names(anc), lens), ANC = unlist(anc, use.names = FALSE), stringsAsFactors = FALSE)
      t2a <- t2a[!is.na(t2a$ANC) & t2a$ANC != "all", ]
      sub <- ann[ann$ONTOLOGY == ont, c("ENTREZID", "GO")]
      j <- merge(sub, t2a, by = "GO")
      pieces[[length(pieces) + 1L]] <- data.frame(ENTREZID = j$ENTREZID, GO = j$ANC, stringsAsFactors = FALSE)
    }
    pairs <- unique(do.call(rbind, pieces))
  }
  # 4. gene x term incidence on the user's genes
  gi <- match(toupper(genes), s2e$SYMBOL)
  gene_eid <- s2e$ENTREZID[gi]
  out <- matrix(0, length(genes), 0L, dimnames = list(genes, NULL))
  n_terms <- 0L
  ve <- NA_real_
  if (!is.null(pairs) && nrow(pairs)) {
    eid_rows <- split(seq_along(genes), gene_eid)[unique(stats::na.omit(gene_eid))]
    pr <- pairs[pairs$ENTREZID %in% names(eid_rows), ]
    reps <- lengths(eid_rows[pr$ENTREZID])
    ii <- unlist(eid_rows[pr$ENTREZID], use.names = FALSE)
    term <- rep(pr$GO, reps)
    tf <- factor(term)
    inc <- Matrix::sparseMatrix(i = ii, j = as.integer(tf), x = 1, dims = c(length(genes), nlevels(tf)),
                                dimnames = list(genes, levels(tf)))
    inc@x[] <- 1
    annotated <- Matrix::rowSums(inc) > 0
    n_ann <- sum(annotated)
    df <- Matrix::colSums(inc)
    keep <- df >= min_genes & df <= max_fraction * max(n_ann, 1)
    inc <- inc[, keep, drop = FALSE]
    df <- df[keep]
    n_terms <- ncol(inc)
    if (n_terms > 0L) {
      w <- inc %*% Matrix::Diagonal(x = log(n_ann / df))
      rn <- sqrt(Matrix::rowSums(w^2))
      rn[rn == 0] <- 1
      w <- Matrix::Diagonal(x = 1 / rn) %*% w
      k <- min(n_components, sum(Matrix::rowSums(w != 0) > 0), n_terms)
      # truncated SVD: through the genes x genes Gram matrix when genes < terms
      if (nrow(w) <= ncol(w)) {
        gram <- as.matrix(Matrix::tcrossprod(w))
        ev <- eigen(gram, symmetric = TRUE)
        d2 <- pmax(ev$values, 0)
        out <- ev$vectors[, seq_len(k), drop = FALSE] %*% diag(sqrt(d2[seq_len(k)]), k)
        ve <- sum(d2[seq_len(k)]) / sum(d2)
      } else {
        s <- svd(as.matrix(w), nu = k, nv = 0L)
        out <- s$u[, seq_len(k), drop = FALSE] %*% diag(s$d[seq_len(k)], k)
        ve <- sum(s$d[seq_len(k)]^2) / sum(s$d^2)
      }
      # fix the sign of each component (largest-magnitude loading positive) for reproducibility
      sg <- apply(out, 2L, function(v) sign(v[which.max(abs(v))]))
      out <- sweep(out, 2L, ifelse(sg == 0, 1, sg), `*`)
      dimnames(out) <- list(genes, paste0("GO", seq_len(k)))
    }
  }
  has <- if (ncol(out)) rowSums(out != 0) > 0 else rep(FALSE, length(genes))
  miss <- genes[!has]
  .grn_inform(sprintf("GO embeddings (%s): %d of %d genes have a non-empty GO profile (%d mapped to Entrez%s); %d terms after filtering; %d dimensions%s",
                      paste(ontology, collapse = "+"), sum(has), length(genes), sum(!is.na(gene_eid)),
                      if (n_alias) sprintf(", %d via aliases", n_alias) else "", n_terms, ncol(out),
                      if (is.finite(ve)) sprintf(" (%.0f%% of the TF-IDF variance)", 100 * ve) else ""), verbose)
  if (sum(has) == 0L) .grn_warn("gene_embeddings_go: no gene has a GO profile; are these human (or upper-cased mouse) gene symbols?",
                                class = "grntorch_embedding_mismatch")
  attr(out, "missing") <- miss
  attr(out, "n_annotated") <- sum(has)
  attr(out, "n_terms") <- n_terms
  attr(out, "variance_explained") <- ve
  out
}
