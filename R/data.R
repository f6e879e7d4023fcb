#' Bundled examples: mESC (BEELINE, with ground truth) and real PBMC raw counts
#'
#' Two real data sets ship with the package (see
#' `system.file("extdata", "README.md", package = "grntorch")` for their
#' sources, licences and how they were made).
#'
#' `"mESC"` (the default): a BEELINE dataset, mouse embryonic stem cells
#' (Hayashi et al. 2018, GSE98664), 1,120 genes (all TFs passing BEELINE's
#' filter plus the 500 most variable genes) x 421 cells of log2(TPM + 1), with
#' the cell-type-specific ChIP-seq ground truth (29,613 edges) as cut by
#' GENELink.
#'
#' `"pbmc-cd34"`: raw 10x UMI counts of the 687 CD34+ (stem / progenitor)
#' cells of the sorted human PBMC populations of Zheng et al. (2017, Nat
#' Commun 8:14049; 10x Genomics, public data), over the 10,346 genes with a
#' count in at least 1% of them, as shipped by the CRAN package fastTopics
#' (BSD-2-clause). Raw counts, as a user's own data arrive: log-normalise them
#' (e.g. `Seurat::NormalizeData()`) before [infer_grn()]. No ground truth; the
#' vignette "Your own data" walks it from counts to a network.
#'
#' @param dataset `"mESC"` or `"pbmc-cd34"`.
#' @return For `"mESC"`, a list with
#'   \describe{
#'     \item{expression}{1120 x 421 numeric matrix, genes x cells.}
#'     \item{tfs}{character, the 627 candidate regulators of the dataset.}
#'     \item{truth}{data.frame `from`, `to` of ground-truth edges.}
#'     \item{split}{the `bridge-grn-sample1` supervised split: a list of
#'       `train`, `validation`, `test` data.frames `from`, `to`, `label`.}
#'     \item{embeddings}{1120 x 64 matrix: BioBERT embeddings of the gene
#'       symbols (scGREAT), reduced to 64 principal components.}
#'   }
#'   For `"pbmc-cd34"`, a list with
#'   \describe{
#'     \item{counts}{10346 x 687 `dgCMatrix` of raw UMI counts, genes x
#'       cells; row names gene symbols, column names 10x barcodes.}
#'     \item{genes}{data.frame `ensembl`, `symbol`, one row per gene.}
#'     \item{source}{character, where the data come from and their licence.}
#'   }
#' @examples
#' ex <- grntorch_example()
#' dim(ex$expression)
#' head(ex$truth)
#' pb <- grntorch_example("pbmc-cd34")
#' dim(pb$counts)
#' summary(Matrix::colSums(pb$counts))   # UMIs per cell
#' @export
grntorch_example <- function(dataset = c("mESC", "pbmc-cd34")) {
  dataset <- .match_choice(dataset, "dataset", c("mESC", "pbmc-cd34"))
  if (dataset == "pbmc-cd34") return(.example_pbmc_cd34())
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

#' @noRd
.example_pbmc_cd34 <- function() {
  d <- system.file("extdata", "pbmc-cd34", package = "grntorch", mustWork = TRUE)
  loadNamespace("Matrix")  # the dgCMatrix's methods (dimnames, printing, subsetting)
  counts <- readRDS(file.path(d, "counts.rds"))
  list(
    counts = counts,
    genes = data.frame(ensembl = readRDS(file.path(d, "ensembl.rds")), symbol = rownames(counts),
                       stringsAsFactors = FALSE),
    source = paste("Zheng et al. (2017) Nat Commun 8:14049, doi:10.1038/ncomms14049: sorted human PBMC,",
                   "donor A, 10x GemCode v1 (public 10x Genomics data); the CD34+ cells, via the CRAN",
                   "package fastTopics 0.7-38 (BSD-2-clause), data/pbmc_facs.RData")
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
