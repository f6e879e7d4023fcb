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
#'   spread.  Side by side on every BEELINE TFs+500 folder and ground truth
#'   (`bench/trees-table.sh`, `bench/trees.R compact`; universe mode, every
#'   model with its defaults on one thread; DeepSEM and InfoSEM-B with `mode
#'   = "celltype"` against the cell-type-specific ChIP-seq and lofgof
#'   networks, `"nonspecific"` against non-specific ChIP-seq and STRING, as
#'   in the DeepSEM paper; **seed 1 only so far**, seeds 2-3 to come;
#'   EPR / AUPRC ratio, the best EPR in bold; `bench/results/trees.md`):
#'
#'   | dataset, ground truth | Pearson | GENIE3 | GRNBoost2 | DeepSEM | InfoSEM-B |
#'   |---|---|---|---|---|---|
#'   | hHEP, specific | 1.00 / 1.03 | 1.11 / 1.10 | 1.05 / 1.06 | **1.17 / 1.20** |  |
#'   | hHEP, non-specific | 1.44 / 1.08 | 1.65 / 1.02 | 1.84 / 1.09 | **2.72 / 1.45** |  |
#'   | hHEP, STRING | 3.07 / 1.79 | **3.18 / 1.99** | 3.04 / 1.79 | 3.16 / 1.85 |  |
#'   | mDC, specific | 1.24 / 1.08 | 1.08 / 1.02 | 1.03 / 1.00 | **1.88 / 1.46** |  |
#'   | mDC, non-specific | 1.06 / 0.94 | 1.57 / 1.13 | 1.69 / 1.07 | **3.24 / 1.86** |  |
#'   | mDC, STRING | 1.46 / 1.10 | 1.77 / 1.33 | 1.42 / 1.11 | **1.93 / 1.60** |  |
#'   | mESC, specific | 1.01 / 1.02 | **1.03 / 1.04** | 1.03 / 1.03 | 0.96 / 0.96 | 0.98 / 0.97 |
#'   | mESC, non-specific | 2.28 / 1.30 | 3.01 / 1.49 | 2.80 / 1.36 | 2.94 / 1.65 | **3.04 / 1.67** |
#'   | mESC, STRING | 1.93 / 1.38 | 2.54 / 1.73 | 2.75 / 1.55 | **3.40 / 2.08** | 3.31 / 2.00 |
#'   | mESC, lofgof | 1.29 / 1.17 | **1.37 / 1.24** | 1.36 / 1.24 | 1.21 / 1.14 | 1.17 / 1.11 |
#'   | mHSC-L, specific | 1.01 / 0.98 | 1.05 / 1.02 | 1.00 / 0.99 | **1.08 / 1.09** |  |
#'   | mHSC-L, non-specific | **3.45 / 2.24** | 2.93 / 2.38 | 3.00 / 2.12 | **3.45 / 3.20** |  |
#'   | mHSC-L, STRING | 6.37 / 6.01 | 6.52 / 6.40 | 6.22 / 5.38 | **6.83 / 7.08** |  |
#'   | CPU seconds, hHEP / mDC / mESC / mHSC-L | ~1 | 2263 / 1352 / 4150 / 1176 | 219 / 157 / 464 / 47 | 66 / 50 / 83 / 68 | 84 (mESC) |
#'
#'   Where the deep models win: on 10 of the 13 folder x truth pairs a SEM
#'   (DeepSEM, or InfoSEM-B with BioBERT embeddings) has the best EPR, by a
#'   wide margin on the non-specific ChIP-seq networks of hHEP and mDC (2.72
#'   and 3.24 against the trees' best 1.84 and 1.69) and on mDC's
#'   cell-type-specific one (1.88 against 1.08), in 1/17 to 1/50 of GENIE3's
#'   time.  Where they do not: the trees are level on hHEP STRING (3.18
#'   against 3.16) and ahead on mESC's lofgof network (1.37 against 1.21),
#'   and every method is at chance on mESC's and mHSC-L's cell-type-specific
#'   ChIP-seq.  Between the two trees GENIE3 is the better on 9 of 13, at
#'   9-25x GRNBoost2's time.  One seed cannot rank close pairs (DeepSEM's
#'   seed sd of EPR reaches 0.27 on mDC's non-specific and 1.05 on mHSC-L's
#'   STRING network, `bench/results/dazzle.md`); the 3-seed table will.
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
