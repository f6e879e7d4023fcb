# Reader for BEELINE data in GENELink's folder layout (see shared/data/MANIFEST.md).
# Everything is returned by gene name: the folder's 0-based indices are only
# valid inside that folder and never leave this file.

#' Read one BEELINE dataset folder (GENELink layout)
#'
#' Reads `BL--ExpressionData.csv[.gz]`, `Target.csv`, `TF.csv`, `Label.csv`,
#' `BL--network.csv` and any `splits/<name>/{Train,Validation,Test}_set.csv[.gz]`
#' of one folder such as `beeline/specific/mESC-tfs500/`, checks that they
#' agree, and returns everything by gene name.
#'
#' Checks: `Target.csv` indices are `0..n-1` in order and its genes are unique
#' and equal the expression row names in order; `TF.csv` indices are in range
#' and name the same genes as `Target.csv`; `Label.csv` and split indices are in
#' range; `Label.csv` and `BL--network.csv` hold the same edges; split labels
#' are 0/1.  A failure names the file and the line (1-based, the header being
#' line 1).
#'
#' @param dir path of the folder.
#' @param expression read the expression matrix (`FALSE` skips the largest
#'   file when only the network is needed; `expression` is then `NULL`).
#' @param splits read the split folders.
#' @return A list with
#'   \describe{
#'     \item{expression}{genes x cells numeric matrix (log-scale values as
#'       distributed), or `NULL`.}
#'     \item{tfs}{character, the candidate regulators of `TF.csv`.}
#'     \item{truth}{data.frame `from`, `to` of ground-truth edges (in the
#'       order of `Label.csv`).}
#'     \item{splits}{named list (one per split folder), each a list of
#'       `train`, `validation`, `test` data.frames `from`, `to`, `label`.}
#'     \item{genes}{character, all genes of the folder (`Target.csv` order).}
#'     \item{name, dataset, kind}{folder name (`mESC-tfs500`), dataset
#'       (`mESC`) and network kind (the parent folder, e.g. `specific`).}
#'   }
#' @examples
#' # A tiny folder in the same layout, written on the fly:
#' d <- file.path(tempdir(), "beeline-demo")
#' dir.create(d, showWarnings = FALSE)
#' genes <- c("A", "B", "C", "D")
#' x <- matrix(round(runif(12), 3), 4, dimnames = list(genes, paste0("c", 1:3)))
#' write.csv(x, file.path(d, "BL--ExpressionData.csv"))
#' write.csv(data.frame(Gene = genes, index = 0:3), file.path(d, "Target.csv"))
#' write.csv(data.frame(TF = c("A", "B"), index = 0:1), file.path(d, "TF.csv"))
#' write.csv(data.frame(TF = c(0, 1), Target = c(2, 3)), file.path(d, "Label.csv"))
#' write.csv(data.frame(Gene1 = c("A", "B"), Gene2 = c("C", "D")),
#'           file.path(d, "BL--network.csv"), row.names = FALSE)
#' str(read_beeline(d))
#' @md
#' @export
read_beeline <- function(dir, expression = TRUE, splits = TRUE) {
  if (!is.character(dir) || length(dir) != 1L || is.na(dir)) .grn_abort("dir", "must be a single folder path")
  if (!dir.exists(dir)) .grn_abort("dir", sprintf("folder \"%s\" does not exist", dir))
  expression <- .check_flag(expression, "expression")
  splits <- .check_flag(splits, "splits")
  dir <- normalizePath(dir)

  tg <- .bl_read_csv(dir, "Target.csv", c("Gene", "index"))
  genes <- as.character(tg$Gene)
  n <- length(genes)
  .bl_check_index(tg$index, n, "Target.csv", "index")
  bad <- which(tg$index != seq_len(n) - 1L)
  if (length(bad)) .bl_fail("Target.csv", bad[1], sprintf("index %s is not the row number %d (rows must be sorted, 0-based)", tg$index[bad[1]], bad[1] - 1L))
  dup <- which(duplicated(genes) | is.na(genes) | genes == "")
  if (length(dup)) .bl_fail("Target.csv", dup[1], sprintf("gene \"%s\" is empty or duplicated", genes[dup[1]]))

  tf <- .bl_read_csv(dir, "TF.csv", c("TF", "index"))
  .bl_check_index(tf$index, n, "TF.csv", "index")
  bad <- which(as.character(tf$TF) != genes[tf$index + 1L])
  if (length(bad)) .bl_fail("TF.csv", bad[1], sprintf("TF \"%s\" has index %d, which is gene \"%s\" in Target.csv", tf$TF[bad[1]], tf$index[bad[1]], genes[tf$index[bad[1]] + 1L]))
  tfs <- as.character(tf$TF)

  lab <- .bl_read_csv(dir, "Label.csv", c("TF", "Target"))
  .bl_check_index(lab$TF, n, "Label.csv", "TF")
  .bl_check_index(lab$Target, n, "Label.csv", "Target")
  truth <- data.frame(from = genes[lab$TF + 1L], to = genes[lab$Target + 1L], stringsAsFactors = FALSE)

  netf <- file.path(dir, "BL--network.csv")
  if (file.exists(netf)) {
    net <- .bl_read_csv(dir, "BL--network.csv", c("Gene1", "Gene2"), index_col = FALSE)
    if (nrow(net) != nrow(truth)) {
      .bl_fail("BL--network.csv", NULL, sprintf("has %d edges but Label.csv has %d", nrow(net), nrow(truth)))
    }
    unknown <- which(!net$Gene1 %in% genes | !net$Gene2 %in% genes)
    if (length(unknown)) .bl_fail("BL--network.csv", unknown[1], sprintf("gene \"%s\" or \"%s\" is not in Target.csv", net$Gene1[unknown[1]], net$Gene2[unknown[1]]))
    k1 <- paste(net$Gene1, net$Gene2, sep = "\r")
    k2 <- paste(truth$from, truth$to, sep = "\r")
    miss <- which(!k1 %in% k2)
    if (length(miss) || length(setdiff(k2, k1))) {
      i <- if (length(miss)) miss[1] else NULL
      .bl_fail("BL--network.csv", i, "does not hold the same edges as Label.csv (after mapping indices through Target.csv)")
    }
  }

  expr <- NULL
  if (expression) {
    ef <- .bl_find(dir, "BL--ExpressionData.csv")
    if (is.null(ef)) .grn_abort("dir", sprintf("no BL--ExpressionData.csv[.gz] in \"%s\"", dir))
    expr <- .bl_read_expression(ef)
    if (nrow(expr) != n || !identical(rownames(expr), genes)) {
      i <- if (nrow(expr) >= 1L) which(rownames(expr)[seq_len(min(n, nrow(expr)))] != genes[seq_len(min(n, nrow(expr)))])[1] else NA
      .bl_fail(basename(ef), if (is.na(i)) NULL else i, sprintf("rows (%d genes) do not follow Target.csv (%d genes)%s", nrow(expr), n,
                                                                 if (is.na(i)) "" else sprintf(": \"%s\" where Target.csv has \"%s\"", rownames(expr)[i], genes[i])))
    }
  }

  spl <- list()
  sd <- file.path(dir, "splits")
  if (splits && dir.exists(sd)) {
    for (s in sort(list.dirs(sd, recursive = FALSE, full.names = FALSE))) {
      one <- list()
      for (part in c(train = "Train_set", validation = "Validation_set", test = "Test_set")) {
        f <- .bl_find(file.path(sd, s), paste0(part, ".csv"))
        if (is.null(f)) next
        rel <- file.path("splits", s, basename(f))
        p <- .bl_read_csv(dirname(f), basename(f), c("TF", "Target", "Label"), display = rel)
        .bl_check_index(p$TF, n, rel, "TF")
        .bl_check_index(p$Target, n, rel, "Target")
        bad <- which(!p$Label %in% c(0, 1))
        if (length(bad)) .bl_fail(rel, bad[1], sprintf("Label is %s, not 0 or 1", p$Label[bad[1]]))
        nm <- names(which(c(train = "Train_set", validation = "Validation_set", test = "Test_set") == part))
        one[[nm]] <- data.frame(from = genes[p$TF + 1L], to = genes[p$Target + 1L], label = as.integer(p$Label),
                                stringsAsFactors = FALSE)
      }
      if (length(one)) spl[[s]] <- one
    }
  }
  name <- basename(dir)
  list(expression = expr, tfs = tfs, truth = truth, splits = spl, genes = genes,
       name = name, dataset = sub("-tfs[0-9]+$", "", name), kind = basename(dirname(dir)))
}

#' @noRd
.bl_fail <- function(file, line, msg) {
  where <- if (is.null(line)) file else sprintf("%s, line %d", file, as.integer(line) + 1L)
  .grn_abort("dir", sprintf("%s: %s", where, msg), class = "grntorch_beeline_error")
}

#' @noRd
.bl_find <- function(dir, name) {
  for (f in file.path(dir, c(name, paste0(name, ".gz")))) if (file.exists(f)) return(f)
  NULL
}

#' @noRd
.bl_read_csv <- function(dir, name, cols, index_col = TRUE, display = name) {
  f <- .bl_find(dir, name)
  if (is.null(f)) .grn_abort("dir", sprintf("no %s in \"%s\"", name, dir))
  con <- if (grepl("\\.gz$", f)) gzfile(f) else file(f)
  d <- tryCatch(utils::read.csv(con, stringsAsFactors = FALSE, check.names = FALSE, strip.white = TRUE),
                error = function(e) .bl_fail(display, NULL, paste("cannot be read as CSV:", conditionMessage(e))))
  miss <- setdiff(cols, names(d))
  if (length(miss)) .bl_fail(display, 0L, sprintf("header lacks column(s) %s", paste(miss, collapse = ", ")))
  d
}

#' @noRd
.bl_check_index <- function(x, n, file, col) {
  xn <- suppressWarnings(as.numeric(x))
  bad <- which(is.na(xn) | xn != round(xn) | xn < 0 | xn >= n)
  if (length(bad)) {
    .bl_fail(file, bad[1], sprintf("column %s is \"%s\", not a 0-based index below %d", col, x[bad[1]], n))
  }
  invisible()
}

#' @noRd
.bl_read_expression <- function(f) {
  con <- if (grepl("\\.gz$", f)) gzfile(f, "rt") else file(f, "rt")
  on.exit(close(con))
  header <- readLines(con, n = 1L)
  cells <- scan(text = header, what = "", sep = ",", quiet = TRUE, na.strings = character())[-1]
  if (!length(cells)) .bl_fail(basename(f), 0L, "header has no cell IDs")
  what <- c(list(""), rep(list(0), length(cells)))
  d <- tryCatch(scan(con, what = what, sep = ",", quiet = TRUE, multi.line = FALSE, na.strings = c("NA", "NaN")),
                error = function(e) .bl_fail(basename(f), NULL, paste("cannot be read:", conditionMessage(e))))
  x <- matrix(unlist(d[-1], use.names = FALSE), ncol = length(cells), dimnames = list(d[[1]], cells))
  bad <- which(!is.finite(x), arr.ind = TRUE)
  if (nrow(bad)) .bl_fail(basename(f), bad[1, 1], sprintf("cell %s of gene %s is not a finite number", cells[bad[1, 2]], d[[1]][bad[1, 1]]))
  x
}
