#' Bundled example: mESC, BEELINE TFs+500, cell-type-specific ChIP-seq truth
#'
#' A real BEELINE dataset shipped with the package (see
#' `system.file("extdata", "README.md", package = "grntorch")` for its source,
#' licence and how it was made): mouse embryonic stem cells (Hayashi et al.
#' 2018, GSE98664), 1,120 genes (all TFs passing BEELINE's filter plus the 500
#' most variable genes) x 421 cells of log2(TPM + 1), with the
#' cell-type-specific ChIP-seq ground truth (29,613 edges) as cut by GENELink.
#'
#' @return A list with
#'   \describe{
#'     \item{expression}{1120 x 421 numeric matrix, genes x cells.}
#'     \item{tfs}{character, the 627 candidate regulators of the dataset.}
#'     \item{truth}{data.frame `from`, `to` of ground-truth edges.}
#'     \item{split}{the `bridge-grn-sample1` supervised split: a list of
#'       `train`, `validation`, `test` data.frames `from`, `to`, `label`.}
#'     \item{embeddings}{1120 x 64 matrix: BioBERT embeddings of the gene
#'       symbols (scGREAT), reduced to 64 principal components.}
#'   }
#' @examples
#' ex <- grntorch_example()
#' dim(ex$expression)
#' head(ex$truth)
#' @export
grntorch_example <- function() {
  d <- system.file("extdata", "mESC-tfs500", package = "grntorch", mustWork = TRUE)
  truth <- utils::read.csv(gzfile(file.path(d, "network.csv.gz")), stringsAsFactors = FALSE)
  names(truth) <- c("from", "to")
  list(
    expression = readRDS(file.path(d, "expression.rds")),
    tfs = readLines(file.path(d, "tfs.txt")),
    truth = truth,
    split = readRDS(file.path(d, "split-bridge-grn-sample1.rds")),
    embeddings = readRDS(file.path(d, "biobert-pca64.rds"))
  )
}

#' BEELINE transcription factor lists
#'
#' The human (1,563) and mouse (1,479) TF lists BEELINE used to build its
#' TFs+500/1000 gene sets, bundled (GPL-3, Murali-group/Beeline).  Mouse
#' symbols are upper-case, as in BEELINE; [infer_grn()] matches TFs
#' case-insensitively.
#'
#' @param species `"human"` or `"mouse"`.
#' @return A character vector of TF symbols.
#' @examples
#' length(beeline_tfs("mouse"))
#' @export
beeline_tfs <- function(species = c("human", "mouse")) {
  species <- .match_choice(species, "species", c("human", "mouse"))
  f <- system.file("extdata", "tf-lists", paste0(species, "-tfs.csv"), package = "grntorch", mustWork = TRUE)
  utils::read.csv(f, stringsAsFactors = FALSE)$TF
}
