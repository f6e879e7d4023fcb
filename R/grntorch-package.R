#' grntorch: gene regulatory network inference on a LibTorch engine
#'
#' Infers transcription factor to target networks from single-cell
#' expression held in a matrix, a `dgCMatrix`, a `SummarizedExperiment` /
#' `SingleCellExperiment` or a `Seurat` object, and returns an `igraph`.
#' The entry point is [infer_grn()]; a model is chosen by its name or by a
#' parameter object (`infer_grn(x, deepsem(epochs = 120), tfs = tfs)`).
#' [grntorch_sitrep()] reports the LibTorch, BLAS and threads in use.
#'
#' @section Which method when:
#' The figures below were measured with this package on BEELINE's TFs+500
#' data (`read_beeline()`), with the commands given in `bench/`.  EPR is the
#' early precision ratio and the AUPRC ratio the average precision over the
#' density: 1 is random.
#'
#' | you have | use | measured |
#' |---|---|---|
#' | expression only | [deepsem()]; a correlation baseline | EPR 1.13 hHEP, 2.98 mDC (`mode`!), 1.00 mESC |
#' | expression only, many genes (thousands+) or DeepSEM too slow | [regdiffusion()] | as its reference (8 BEELINE folders, 3 seeds), 5x faster than it |
#' | expression only, dropout-heavy data, stable edges across seeds | [dazzle()] | as its reference; EPR above DeepSEM on 7 of 8 folders, seed sd smaller on 6 of 8 |
#' | + gene embeddings | [infosem()] (InfoSEM-B) | unseen genes: AUPRC +0.01 over DeepSEM |
#' | + a network of the same source | [genelink()], [scunigp()], ...; InfoSEM-BC | AUROC 0.86-0.94; degree alone 0.72-0.87 |
#' | + a network of another source | an unsupervised model and Pearson first | novel edges: hHEP InfoSEM-B 0.69 vs best prior-trained 0.55; mouse: prior-trained 0.58-0.73, degree alone 0.53-0.69 |
#'
#' * **Expression only, no known edges**: [deepsem()] (`"deepsem"`), with
#'   [correlation_method()] (`"pearson"`, `"spearman"`) as the baseline to
#'   beat.  DeepSEM over 5 seeds: hHEP (cell-type-specific ChIP-seq) EPR 1.13,
#'   AUPRC ratio 1.14; mDC (non-specific ChIP-seq, `mode = "nonspecific"`, 10
#'   seeds) EPR 2.98, AUPRC ratio 1.73; mESC 1.00 (no signal for any method).
#'   Pearson on the same data: EPR 1.00 (hHEP), 1.06 (mDC), 1.02 (mESC).
#' * **Many genes, or DeepSEM too slow**: [regdiffusion()] (`"regdiffusion"`),
#'   DeepSEM's successor: the same kind of learned adjacency, trained as a
#'   diffusion model with no matrix inverse, so its cost grows with the
#'   square of the genes instead of the cube.  As accurate as its reference
#'   on BEELINE (four datasets x STRING and non-specific ChIP-seq, 3 seeds;
#'   mESC STRING: EPR 3.61 and 3.61, AUPRC ratio 2.20 for both) and
#'   5.2-5.7x faster on one thread (idle machine, mESC).  10,000 genes x
#'   50,000 cells took 13 minutes and 6.3 GB on 2 threads; see
#'   `bench/results/regdiffusion.md`.
#' * **Stabler DeepSEM**: [dazzle()] (`"dazzle"`), DeepSEM trained with
#'   dropout augmentation (DAZZLE).  On BEELINE's four TFs+500 datasets
#'   against STRING and non-specific ChIP-seq (3 seeds, 120 epochs) it
#'   matches its reference and beats DeepSEM's mean EPR on 7 of the 8
#'   folders (mHSC-L STRING 6.98 against 6.22, hHEP STRING 3.37 against
#'   3.13; mESC non-specific 2.81 against 2.89 the exception) with a smaller
#'   seed sd on 6 of 8, at about twice DeepSEM's time; see
#'   `bench/results/dazzle.md`.
#' * **Gene embeddings** (GO profiles from [gene_embeddings_go()], BioBERT or a
#'   foundation model via [read_embeddings()]): [infosem()] (InfoSEM-B).  On
#'   genes without any known edge (unseen-genes splits, 10 seeds): hHEP + GO
#'   AUPRC 0.470 against DeepSEM 0.458 (density 0.431), but random embeddings
#'   give 0.469, so the gain is the prior's shrinkage, not the embeddings'
#'   content; mESC + BioBERT 0.383 against 0.381.
#' * **A known network for the same cells** (held-out edges of the same
#'   source): the supervised models [genelink()], [gnnlink()], [scregnet()],
#'   [sctransnet()], [scunigp()], and InfoSEM-BC (`infosem(prior_edges = )`),
#'   always beside [degree_baseline()].  Test AUROC 0.86-0.94 on BEELINE's
#'   splits, but the target's training degree alone scores 0.72-0.87 there:
#'   most of that figure is degree, not expression.  [benchmark_grn()] adds
#'   the degree baseline to every supervised result.
#' * **A known network from another source** (STRING, a ChIP-seq collection:
#'   [prior_network()], [training_pairs()]) when you want new edges: an
#'   unsupervised model first, a supervised one only if it beats it on your
#'   check.  Trained on the prior and scored on the cell-type-specific
#'   ChIP-seq edges that are not in it (4 BEELINE folders, 3 seeds, AUROC):
#'   on hHEP (human STRING) InfoSEM-B 0.691 and DeepSEM 0.636 against
#'   GENELink 0.538, scUniGP 0.553 and InfoSEM-BC 0.519; on the mouse
#'   folders DeepSEM and InfoSEM-B are at chance (0.44-0.50) and the
#'   prior-trained models score 0.47-0.73: with the STRING prior the best
#'   is within 0.02 of Pearson on mDC and mESC, and below the degree
#'   baseline on mHSC-L (scUniGP 0.669, degree 0.694); with the non-specific ChIP-seq prior 0.03-0.18 above the
#'   degree baseline (mDC InfoSEM-BC 0.726, scUniGP 0.705, degree 0.547;
#'   mESC scUniGP 0.653, degree 0.579; mHSC-L scUniGP 0.669, degree
#'   0.641).  Full table: "What transfers from a known network" in
#'   [benchmark_grn()].
#'   What a supervised model learns from one network transfers little to
#'   another; `grn_edges(g, novel = TRUE)` shows the edges it did not learn.
#'
#' * **The standard comparison: tree ensembles per target.** [genie3()]
#'   (`"genie3"`, random forests on 'ranger') and [grnboost2()]
#'   (`"grnboost2"`, gradient boosting on 'lightgbm') are what most users run
#'   today (GENIE3 won DREAM4/5; GRNBoost2 drives SCENIC); use them as the
#'   baseline a deep model must beat, beside Pearson.  On BEELINE mESC
#'   (cell-type-specific ChIP-seq, 20 random targets) [genie3()]'s edge
#'   weights correlate with the reference GENIE3's at Spearman 0.945, as
#'   closely as two runs of the reference (0.954), with the same EPR (2.35-2.62
#'   against 2.44-2.57) and AUPRC ratio (1.44-1.46 against 1.43-1.47); on mDC
#'   0.97 against 0.977.
#'   [grnboost2()] agrees with arboreto's GRNBoost2 about as well as
#'   arboreto with itself (Spearman 0.48-0.60 against 0.59-0.72: early
#'   stopping makes boosting noisy), with EPR and AUPRC ratio within its seed
#'   spread.  Side by side (`bench/trees.R table`, universe mode, one seed,
#'   GENIE3 with 100 trees to fit the time available; more in
#'   `bench/results/trees.md`):
#'
#'   | folder (cell-type-specific ChIP-seq) | Pearson | GENIE3 | GRNBoost2 | DeepSEM |
#'   |---|---|---|---|---|
#'   | mHSC-L, EPR / AUPRC ratio / AUROC | 1.01 / 0.99 / 0.50 | 1.05 / 1.02 / 0.52 | 1.00 / 1.00 / 0.50 | 1.04 / 1.01 / 0.53 |
#'   | hHEP, EPR / AUPRC ratio / AUROC | 1.00 / 1.03 / 0.51 | 1.09 / 1.09 / 0.53 | 1.06 / 1.07 / 0.53 | 1.05 / 1.06 / 0.53 |
#'
#'   On mHSC-L no method finds the ChIP-seq edges (all within 0.05 of
#'   chance).  On hHEP the trees are level with DeepSEM or a little above
#'   it on this seed (DeepSEM's 5-seed mean, EPR 1.13, is above both): the
#'   deep model does not clearly beat the trees on either folder, and all
#'   of them are close to chance.  mDC and mESC, and 3 seeds, are not
#'   measured yet.
#'
#' To see which case you are in, run [benchmark_grn()] on your own data with
#' `schemes = "cross_source"` (train on one network, score on another with
#' every training pair removed) or on [simulate_grn()] data, where a model
#' that ignores the expression scores like the degree baseline.
#'
#' @section Choosing DeepSEM's mode:
#' `mode` chooses DeepSEM's loss, not the ground truth: `"celltype"` z-scores
#' each gene over its non-zero values and fits only the non-zero entries
#' (dropout zeros are treated as missing); `"nonspecific"` fits every entry
#' with a stronger sparsity (`alpha = 100`) and KL weight (`beta = 1`).  Pick
#' it by what you want to recover and by your data:
#' * cell-type-specific, direct regulation in one cell type (what a ChIP-seq of
#'   that cell type would show), on sparse (dropout-heavy) data: `"celltype"`
#'   (the default);
#' * broad, functional associations across conditions (STRING-like), on data
#'   with several cell states: `"nonspecific"`.
#'
#' The mode matters more than any other setting.  Measured with
#' `bench/deepsem.R` (120 epochs, EPR / AUPRC ratio, 1 = random):
#'
#' | data (ground truth) | `"celltype"` | `"nonspecific"` |
#' |---|---|---|
#' | hHEP (cell-type-specific ChIP-seq) | 1.13 / 1.14 (5 seeds) | 1.04 / 1.04 (1 seed) |
#' | mDC (non-specific ChIP-seq) | 0.87 / 0.99 (1 seed) | 2.98 / 1.73 (10 seeds) |
#'
#' The matching mode wins in both cases, and the wrong one is close to
#' chance.  If you cannot tell which kind of regulation your data hold, fit
#' both and let a network that you did not train on decide: score each fit
#' against a prior network with [evaluate_grn()] (e.g. `prior_network("mouse",
#' "string")` restricted to your genes, or a ChIP-seq collection), and keep
#' the mode that recovers more of it.  This uses no test labels.  An ensemble
#' (`deepsem(n_runs = 5)`) and its `stability` attribute then show which
#' edges are robust.
#'
#' @section Getting started:
#' `vignette("grntorch")` runs the bundled data from a `SingleCellExperiment`
#' and a `Seurat` object to a plotted network; `vignette(package =
#' "grntorch")` lists the others (your own data, unsupervised models,
#' supervised models with a known network, benchmarking).
#'
#' @section Threads, interrupts and signals:
#' Every model takes `threads` (default `getOption("grntorch.threads", 2)`),
#' at most the processors this R process may use: a larger number is capped
#' with a warning of class `grntorch_threads_warning`, and a thread that
#' cannot be created is a `grntorch_engine_error`.  Ctrl-C stops a fit within
#' about a mini-batch with a condition of class `grntorch_interrupt` (an
#' `"interrupt"`, not an `"error"`, so `tryCatch(error = )` does not swallow
#' it; `benchmark_grn()` returns the runs that finished).  While the engine
#' runs, asynchronous signals that have a handler (SIGINT, SIGCHLD, SIGPROF,
#' ...) are held on every engine thread and reach R's main thread when the
#' call returns: the oneDNN matrix kernels in Debian's LibTorch cannot take a
#' signal safely (oneDNN issue 4845).  So `Rprof()` records no samples inside
#' an engine call, and a `setTimeLimit()` limit stops a fit with R's own
#' time-limit error.
#'
#' @useDynLib grntorch, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom methods is
#' @importFrom stats sd
#' @importFrom utils head
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, top = 1000)
#' evaluate_grn(g, ex$truth)
"_PACKAGE"
