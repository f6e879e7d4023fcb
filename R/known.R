# Known networks on a user's own data: the bundled reference networks
# (prior_network), labelled training pairs cut from a known network
# (training_pairs), the cross-source split (cross_source_split) and the
# `known` edge attribute of models that learn from known edges.

# Bundled networks (inst/extdata/prior-networks/<species>-<source>.rds, made by
# tools/make-prior-networks.R).
.prior_sources <- list(human = c("string", "hepg2-chip-seq"),
                       mouse = c("string", "non-specific-chip-seq", "mdc-chip-seq", "mesc-lofgof"))

#' Bundled reference networks (prior knowledge)
#'
#' BEELINE's genome-wide reference networks, bundled with the package (no
#' download): the prior knowledge a user brings to their own data for the
#' supervised models and InfoSEM-BC (via [training_pairs()]).  All come from
#' the `Networks/` folder of `Murali-group/Beeline` (commit
#' `13c8593dae8723776c8825ac467b81cd9f04ee16`), licence GPL-3.0; see
#' `system.file("extdata", "README.md", package = "grntorch")` for the files
#' and their git blob ids.
#'
#' | species | `source` | edges | BEELINE ground truths cut from it |
#' |---|---|---|---|
#' | human | `"string"` | 99,146 | STRING networks of hESC, hHEP (`string/hHEP-*`) |
#' | human | `"hepg2-chip-seq"` | 342,823 | cell-type-specific hHEP (`specific/hHEP-*`) |
#' | mouse | `"string"` | 78,567 | STRING networks of mDC, mESC, mHSC-E/GM/L |
#' | mouse | `"non-specific-chip-seq"` | 99,990 | non-specific networks of mDC, mESC, mHSC-E/GM/L |
#' | mouse | `"mdc-chip-seq"` | 30,650 | cell-type-specific mDC (`specific/mDC-*`) |
#' | mouse | `"mesc-lofgof"` | 104,174 | LOF/GOF mESC (`lofgof/mESC-*`) |
#'
#' Not bundled (not in the project's snapshot of BEELINE): the human
#' non-specific ChIP-seq network (the source of the hESC / hHEP non-specific
#' ground truths) and the hESC, mESC and mHSC cell-type-specific ChIP-seq
#' networks.
#'
#' Edges point regulator -> target; STRING lists both directions where both
#' genes are regulators.  Duplicated rows (STRING lists every edge twice) and
#' self-loops are dropped; mDC's ChIP-seq `Score` is not kept.  Symbols are
#' as BEELINE spells them: human symbols, and mouse symbols in **upper case**
#' ([training_pairs()] and [infer_grn()] match case-insensitively).
#'
#' **Leakage.**  A model trained on one of these networks must not be scored
#' on a ground truth cut from the same network (the table above): use
#' [cross_source_split()] or `benchmark_grn(schemes = "cross_source")`, which
#' remove every prior pair from the scored pairs.
#'
#' @param species `"human"` or `"mouse"`.
#' @param source which network (table above), case-insensitive; default
#'   `"string"`.
#' @return A data.frame `from`, `to` (character), with attributes `species`,
#'   `source` (the key above), `origin` (repository, commit and file) and
#'   `licence`.  [training_pairs()] reads `species` to check the data's
#'   symbols.
#' @seealso [training_pairs()], [cross_source_split()]
#' @examples
#' s <- prior_network("mouse", "string")
#' head(s)
#' attr(s, "source")
#' nrow(prior_network("human", "hepg2-chip-seq"))
#' @md
#' @export
prior_network <- function(species = c("human", "mouse"), source = "string") {
  species <- .match_choice(if (is.character(species)) tolower(species) else species, "species", c("human", "mouse"))
  if (!is.character(source) || length(source) != 1L || is.na(source)) .grn_abort("source", "must be a single string")
  src <- tolower(source)
  ok <- .prior_sources[[species]]
  if (!src %in% ok) {
    other <- setdiff(names(.prior_sources), species)
    hint <- if (src %in% .prior_sources[[other]]) sprintf(" (\"%s\" is a %s network)", source, other) else ""
    .grn_abort("source", sprintf("must be one of %s for species \"%s\", not \"%s\"%s",
                                 paste0("\"", ok, "\"", collapse = ", "), species, source, hint))
  }
  f <- system.file("extdata", "prior-networks", sprintf("%s-%s.rds", species, src), package = "grntorch",
                   mustWork = TRUE)
  obj <- readRDS(f)
  out <- data.frame(from = obj$genes[obj$from], to = obj$genes[obj$to], stringsAsFactors = FALSE)
  attr(out, "species") <- obj$species
  attr(out, "source") <- obj$source
  attr(out, "origin") <- obj$file
  attr(out, "licence") <- "GPL-3.0 (Murali-group/Beeline)"
  out
}

#' Labelled training pairs from a known network
#'
#' Turns a known network (a prior such as [prior_network()], or any table of
#' regulator -> target edges) into the labelled pairs the supervised models
#' ([genelink()], [scunigp()], ...) take as `infer_grn(train =, validation =)`
#' and InfoSEM-BC as `infosem(prior_edges =)`.
#'
#' * **Candidates** are the data's TFs x genes: every gene of `x_or_genes`
#'   whose name matches one of `tfs` (case-insensitively) as regulator, every
#'   gene as target, no self-pair.
#' * **Positives** are the known edges among the candidates, named in the
#'   data's spelling (known names are matched case-insensitively), each pair
#'   once.  How many of the known edges fall inside is reported as a message.
#' * **Negatives**: with a number `r`, `round(r * positives)` pairs drawn
#'   uniformly without replacement from the other candidates (no self-pair,
#'   no positive); with `"all"`, every other candidate.  A negative is only
#'   "not in the known network": known networks are incomplete, so some
#'   negatives are true edges.
#' * **Validation**: a fraction `validation` of the positives and, separately,
#'   of the negatives (rounded) is held out (stratified by label).
#'
#' The draw is reproducible with `seed` and leaves the caller's random state
#' untouched.
#'
#' @param known a data.frame with columns `from` (regulator) and `to`
#'   (target), e.g. [prior_network()]; with a `label` column only rows with
#'   label 1 are used.  Its attribute `species` (set by [prior_network()]) is
#'   used for the species check.
#' @param x_or_genes the data: an expression object of any class
#'   [infer_grn()] takes (only its gene names are read; nothing is made
#'   dense), or a character vector of gene names.
#' @param tfs candidate regulators, matched case-insensitively (`NULL`: every
#'   gene, as in [infer_grn()]).
#' @param validation fraction of each label held out for validation, in
#'   `[0, 1)`; 0 gives `validation = NULL`.
#' @param negatives negatives per positive (a number >= 0), or `"all"`.
#' @templateVar seed_of the negative draw and the validation split
#' @template param-seed
#' @param verbose report the overlap (a message).
#' @return A list of class `grn_split` with data.frames `train` and
#'   `validation` (columns `from`, `to`, `label`; positives first), ready for
#'   `infer_grn(train = , validation = )` and `infosem(prior_edges = )`.
#'   Attribute `info` records the counts (known edges, edges inside the
#'   genes, positives, negatives, candidates), `species`, `source` and `seed`.
#'
#'   Classed conditions, each naming the argument: `known` without `from` /
#'   `to` columns, with no edge inside the data's genes
#'   (`grntorch_no_known_edges`) or with no regulator among `tfs`
#'   (`grntorch_no_known_regulators`); `negatives` beyond the available pairs
#'   (`grntorch_too_many_negatives`); a warning `grntorch_species_mismatch`
#'   when human symbols (upper case, or `species = "human"`) meet mouse genes
#'   (title case), or the other way round.
#' @seealso [prior_network()], [cross_source_split()], [infer_grn()],
#'   [grn_edges()] (`novel = TRUE`)
#' @examples
#' ex <- grntorch_example()
#' genes <- rownames(ex$expression)[1:300]
#' tfs <- intersect(ex$tfs, genes)
#' tp <- training_pairs(prior_network("mouse", "string"), ex$expression[genes, ],
#'                      tfs = tfs, negatives = 3, seed = 1)
#' tp
#' g <- infer_grn(ex$expression[genes, ], "degree", tfs = tfs,
#'                train = tp$train, validation = tp$validation)
#' head(grn_edges(g, novel = TRUE), 3)   # edges that are not training positives
#' @md
#' @export
training_pairs <- function(known, x_or_genes, tfs = NULL, validation = 0.1, negatives = 3, seed = 1L,
                           verbose = TRUE) {
  verbose <- .check_flag(verbose, "verbose")
  seed <- .check_seed(seed)
  validation <- .check_scalar_num(validation, "validation", min = 0, max = 1)
  if (validation >= 1) .grn_abort("validation", "must be a fraction in [0, 1)")
  all_neg <- identical(negatives, "all")
  if (!all_neg) {
    if (!is.numeric(negatives) || length(negatives) != 1L || !is.finite(negatives) || negatives < 0) {
      .grn_abort("negatives", "must be a number of negatives per positive (>= 0) or \"all\"")
    }
  }
  k <- .known_prepare(known, x_or_genes, tfs)
  n_pos <- length(k$pos)
  n_avail <- k$n_cand - n_pos
  if (all_neg) {
    if (n_avail > 2e7) {
      .grn_abort("negatives", sprintf("\"all\" would make %s negative pairs; give a number of negatives per positive",
                                      format(n_avail, big.mark = ",")), class = "grntorch_too_many_negatives")
    }
    n_neg <- n_avail
  } else {
    n_neg <- round(negatives * n_pos)
    if (n_neg > n_avail) {
      .grn_abort("negatives", sprintf("asks for %s negatives (%g per positive) but only %s TF x gene pairs are neither a positive nor a self-pair",
                                      format(n_neg, big.mark = ","), negatives, format(n_avail, big.mark = ",")),
                 class = "grntorch_too_many_negatives")
    }
  }
  drawn <- .with_seed(seed, {
    neg <- if (all_neg) .all_candidates(k, exclude = k$pos) else .sample_candidates(k, n_neg, exclude = k$pos)
    lab <- c(rep(1L, n_pos), rep(0L, length(neg)))
    val <- logical(length(lab))
    if (validation > 0) {
      for (l in c(1L, 0L)) {
        idx <- which(lab == l)
        nv <- round(validation * length(idx))
        if (nv > 0) val[idx[sample.int(length(idx), nv)]] <- TRUE
      }
    }
    list(neg = neg, lab = lab, val = val)
  })
  codes <- c(k$pos, sort(drawn$neg))
  lab <- drawn$lab[c(seq_len(n_pos), n_pos + order(drawn$neg))]
  val <- drawn$val[c(seq_len(n_pos), n_pos + order(drawn$neg))]
  pairs <- .decode_pairs(k, codes)
  pairs$label <- lab
  train <- pairs[!val, , drop = FALSE]
  vpairs <- pairs[val, , drop = FALSE]
  rownames(train) <- NULL
  rownames(vpairs) <- NULL
  .grn_inform(sprintf("training_pairs: %s of %s known edges lie inside the data's %s genes; the %s distinct ones among its %s TFs x genes are the positives; %s negatives (%s train, %s validation pairs)",
                      format(k$n_inside, big.mark = ","), format(k$n_known, big.mark = ","),
                      format(k$nG, big.mark = ","), format(n_pos, big.mark = ","), format(k$nT, big.mark = ","),
                      format(length(drawn$neg), big.mark = ","),
                      format(nrow(train), big.mark = ","), format(nrow(vpairs), big.mark = ",")), verbose)
  out <- list(train = train, validation = if (validation > 0) vpairs)
  if (is.null(out$validation)) out["validation"] <- list(NULL)
  structure(out, class = c("grn_split", "list"),
            info = list(scheme = "training_pairs", seed = seed, n_known = k$n_known, n_inside = k$n_inside,
                        n_positive = n_pos, n_negative = length(drawn$neg), n_candidates = k$n_cand,
                        negatives = negatives, species = k$species, source = k$source))
}

#' Cross-source split: train on one network, score novel edges of another
#'
#' The honest test of a model trained on a prior network `S` (e.g. STRING):
#' train on `S` restricted to the data ([training_pairs()]) and score on a
#' ground truth `T` from another source (e.g. cell-type-specific ChIP-seq)
#' with **every pair of `S` removed**, from the scored pairs and from `T`.
#' The scored pairs (`test_novel`) are all of the data's TFs x genes (no
#' self-pair) that are not in `S`; their label is 1 when the pair is in `T`.
#' Training negatives are not removed from the scored pairs (they are pairs
#' outside `S`, like every scored pair; some are edges of `T`).
#' `benchmark_grn(schemes = "cross_source", prior = S)` runs it for every
#' method and seed.
#'
#' @param prior the known network `S` (see `known` of [training_pairs()]).
#' @param truth the ground truth `T`: a data.frame `from`, `to`.
#' @inheritParams training_pairs
#' @return A `grn_split`: `train`, `validation` (from [training_pairs()] on
#'   `prior`) and `test_novel` (`from`, `to`, `label`).  Attribute `info`
#'   adds the ground-truth edges among the candidates (`n_truth`), those in
#'   the prior and removed (`n_truth_in_prior`) and the scored pairs.
#' @seealso [training_pairs()], [benchmark_grn()], [prior_network()]
#' @examples
#' ex <- grntorch_example()
#' genes <- rownames(ex$expression)[1:300]
#' tfs <- intersect(ex$tfs, genes)
#' s <- cross_source_split(prior_network("mouse", "string"), ex$truth, ex$expression[genes, ],
#'                         tfs = tfs, seed = 1)
#' s
#' g <- infer_grn(ex$expression[genes, ], "pearson", tfs = tfs)
#' evaluate_grn(g, s$test_novel, missing = 0)
#' @md
#' @export
cross_source_split <- function(prior, truth, x_or_genes, tfs = NULL, validation = 0.1, negatives = 3, seed = 1L,
                               verbose = TRUE) {
  verbose <- .check_flag(verbose, "verbose")
  if (!is.data.frame(truth) || !all(c("from", "to") %in% names(truth))) {
    .grn_abort("truth", "must be a data.frame with columns from, to")
  }
  # training_pairs() names its network `known`; here the user gave it as `prior`
  tp <- .rename_arg(training_pairs(prior, x_or_genes, tfs = tfs, validation = validation, negatives = negatives,
                                   seed = seed, verbose = verbose), "known", "prior")
  k <- withCallingHandlers(.known_prepare(prior, x_or_genes, tfs),   # its species warning came from training_pairs()
                            grntorch_species_mismatch = function(w) invokeRestart("muffleWarning"))
  if (k$n_cand > 2e7) {
    .grn_abort("x_or_genes", sprintf("%s TF x gene pairs are too many to score in pairs mode; restrict the genes or TFs",
                                     format(k$n_cand, big.mark = ",")))
  }
  tcode <- unique(.pair_codes(k, truth$from, truth$to))
  tcode <- tcode[!is.na(tcode)]
  if (!length(tcode)) .grn_abort("truth", "has no edge among the data's TFs x genes")
  in_prior <- tcode %in% k$pos
  novel <- tcode[!in_prior]
  if (!length(novel)) .grn_abort("truth", "every one of its edges among the data's TFs x genes is in `prior`: nothing novel to score")
  scored <- .all_candidates(k, exclude = k$pos)
  test <- .decode_pairs(k, scored)
  test$label <- as.integer(scored %in% novel)
  .grn_inform(sprintf("cross_source_split: %s of %s ground-truth edges among the TFs x genes are in the prior and removed; %s novel edges among %s scored pairs (density %.4f)",
                      format(sum(in_prior), big.mark = ","), format(length(tcode), big.mark = ","),
                      format(length(novel), big.mark = ","), format(length(scored), big.mark = ","),
                      length(novel) / length(scored)), verbose)
  info <- attr(tp, "info")
  info$scheme <- "cross_source"
  info$n_truth <- length(tcode)
  info$n_truth_in_prior <- sum(in_prior)
  info$n_scored <- length(scored)
  structure(list(train = tp$train, validation = tp$validation, test_novel = test), class = c("grn_split", "list"),
            info = info)
}

# The known network as distinct positive candidate codes over the data.
# Candidate (TF t, gene g) -> code (t - 1) * nG + g, t indexing `tf_idx`.
#' @noRd
.known_prepare <- function(known, x_or_genes, tfs) {
  if (!is.data.frame(known)) {
    .grn_abort("known", "must be a data.frame with columns from (regulator) and to (target), e.g. prior_network(\"human\")")
  }
  if (!all(c("from", "to") %in% names(known))) {
    .grn_abort("known", sprintf("must have columns from (regulator) and to (target); it has %s",
                                if (length(names(known))) paste(names(known), collapse = ", ") else "none"))
  }
  from <- as.character(known$from)
  to <- as.character(known$to)
  if ("label" %in% names(known)) {
    lab <- .check_labels(known$label, "known")
    from <- from[lab == 1L]
    to <- to[lab == 1L]
  }
  ok <- !is.na(from) & !is.na(to)
  from <- from[ok]; to <- to[ok]
  if (!length(from)) .grn_abort("known", "has no edges", class = "grntorch_no_known_edges")
  genes <- .pairs_genes(x_or_genes)
  gup <- toupper(genes)
  nG <- length(genes)
  if (is.null(tfs)) {
    tf_idx <- seq_len(nG)
  } else {
    if (is.factor(tfs)) tfs <- as.character(tfs)
    if (!is.character(tfs) || !length(tfs)) .grn_abort("tfs", "must be a character vector of gene symbols (or NULL)")
    tf_idx <- which(gup %in% toupper(tfs[!is.na(tfs)]))
    if (!length(tf_idx)) {
      .grn_abort("tfs", sprintf("none of the %d TFs is among the %d genes (matched case-insensitively)", length(tfs), nG))
    }
  }
  species <- attr(known, "species")
  .check_species(species, c(from, to), genes)
  fi <- match(toupper(from), gup)
  ti <- match(toupper(to), gup)
  inside <- !is.na(fi) & !is.na(ti) & fi != ti
  if (!any(inside)) {
    .grn_abort("known", sprintf("none of its %s edges has both genes among the %d genes of the data (matched case-insensitively; e.g. %s vs %s)",
                                format(length(from), big.mark = ","), nG, from[1], genes[1]),
               class = "grntorch_no_known_edges")
  }
  k <- list(genes = genes, gup = gup, nG = nG, tf_idx = tf_idx, nT = length(tf_idx),
            n_cand = as.double(length(tf_idx)) * nG - length(tf_idx), n_known = length(from),
            n_inside = sum(inside), species = if (is.null(species)) NA_character_ else species,
            source = if (is.null(attr(known, "source"))) NA_character_ else attr(known, "source"))
  pos <- .pair_codes(k, from[inside], to[inside])
  pos <- sort(unique(pos[!is.na(pos)]))
  if (!length(pos)) {
    .grn_abort("known", sprintf("none of the regulators of its %s edges inside the data's genes is among the %d `tfs`",
                                format(sum(inside), big.mark = ","), length(tf_idx)),
               class = "grntorch_no_known_regulators")
  }
  k$pos <- pos
  k
}

# Gene names of an expression object (never densified) or a character vector.
#' @noRd
.pairs_genes <- function(x) {
  if (is.factor(x)) x <- as.character(x)
  if (is.character(x)) {
    g <- x[!is.na(x) & nzchar(x)]
    g <- g[!duplicated(toupper(g))]
    if (!length(g)) .grn_abort("x_or_genes", "has no gene names")
    return(g)
  }
  .expression_source(x, arg = "x_or_genes")$genes
}

# Candidate codes of (from, to) names; NA when not a candidate (regulator not
# a TF, gene absent, self-pair).
#' @noRd
.pair_codes <- function(k, from, to) {
  fi <- match(toupper(as.character(from)), k$gup)
  ti <- match(toupper(as.character(to)), k$gup)
  t <- match(fi, k$tf_idx)
  code <- (t - 1) * k$nG + ti
  code[is.na(fi) | is.na(ti) | fi == ti] <- NA
  code
}

#' @noRd
.decode_pairs <- function(k, codes) {
  t <- (codes - 1) %/% k$nG + 1
  g <- codes - (t - 1) * k$nG
  data.frame(from = k$genes[k$tf_idx[t]], to = k$genes[g], stringsAsFactors = FALSE)
}

# Codes of the self-pairs (a TF with itself).
#' @noRd
.self_codes <- function(k) (seq_len(k$nT) - 1) * k$nG + k$tf_idx

# Every candidate code except `exclude` (and self-pairs), ascending.
#' @noRd
.all_candidates <- function(k, exclude) {
  all <- seq_len(k$nT * k$nG)
  all[!all %in% c(exclude, .self_codes(k))]
}

# n candidates drawn uniformly without replacement, none in `exclude` nor a
# self-pair.  Small universes are enumerated; large ones rejection-sampled.
#' @noRd
.sample_candidates <- function(k, n, exclude) {
  if (n == 0) return(numeric())
  N <- as.double(k$nT) * k$nG
  if (N <= 5e6) {
    cand <- .all_candidates(k, exclude)
    return(cand[sample.int(length(cand), n)])
  }
  bad <- c(exclude, .self_codes(k))
  got <- numeric()
  while (length(got) < n) {
    d <- sample.int(N, min(N, 2 * (n - length(got)) + 100))
    d <- d[!d %in% bad & !d %in% got]
    got <- c(got, d)
  }
  got[seq_len(n)]
}

# Species check of known symbols against the data's genes (by the case of
# the symbols: human upper case, mouse title case; BEELINE's upper-cased
# mouse networks carry attr(, "species") = "mouse").
#' @noRd
.symbol_case <- function(s) {
  s <- unique(s[grepl("[A-Za-z].*[A-Za-z]", s)])
  if (length(s) < 10L) return(NA_character_)
  low <- mean(grepl("[a-z]", s))
  if (low < 0.2) "upper" else if (low > 0.6) "title" else NA_character_
}

#' @noRd
.check_species <- function(species, symbols, genes) {
  dcase <- .symbol_case(genes)
  if (is.na(dcase)) return(invisible())
  kcase <- .symbol_case(symbols)
  known_human <- identical(species, "human") || (is.null(species) && identical(kcase, "upper"))
  if (dcase == "title" && known_human) {
    .grn_warn(sprintf("`known` looks like human gene symbols (%s) but the data's genes look like mouse symbols (title case, e.g. %s); matching is case-insensitive, so human symbols would be taken for their mouse namesakes. Use a mouse network (prior_network(\"mouse\")), or set attr(known, \"species\") <- \"mouse\" if it holds upper-cased mouse symbols",
                      if (identical(species, "human")) "species \"human\"" else "upper case", genes[grepl("[a-z]", genes)][1]),
              class = "grntorch_species_mismatch")
  } else if (dcase == "upper" && is.null(species) && identical(kcase, "title")) {
    .grn_warn(sprintf("`known` looks like mouse gene symbols (title case, e.g. %s) but the data's genes are upper case (human symbols, or upper-cased mouse symbols as in BEELINE); check the species",
                      symbols[grepl("[a-z]", symbols)][1]), class = "grntorch_species_mismatch")
  }
  invisible()
}

# Logical: is edge (from[i], to[i]) among `known` (names matched
# case-insensitively against `genes`)?
#' @noRd
.is_known <- function(from, to, known, genes) {
  nG <- length(genes)
  up <- toupper(genes)
  kc <- (match(toupper(known$from), up) - 1) * nG + match(toupper(known$to), up)
  ec <- (match(from, genes) - 1) * nG + match(to, genes)
  ec %in% kc[!is.na(kc)]
}
