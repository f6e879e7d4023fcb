#include "glue.h"

#include "grntorch/regdiffusion.hpp"

// One RegDiffusion run.  expr: genes x cells (finite, checked); opts: the
// options of regdiffusion() (see R/methods-regdiffusion.R; types only: the
// bounds are regdiffusion()'s, the engine checks its invariants) plus threads,
// verbose and label; rows: the 1-based rows of A to return (the regulators;
// empty = every gene).  Returns A (rows x genes, A[regulator, target]) and the
// per-step trace.
// [[Rcpp::export(.grn_regdiffusion)]]
Rcpp::List grn_regdiffusion(const Rcpp::NumericMatrix expr, const Rcpp::List opts, const Rcpp::IntegerVector rows) {
  GRN_TRY
  grnglue::Options o(opts, "regdiffusion()");
  grntorch::RegDiffusionOptions opt;
  opt.steps = o.integer("steps");
  opt.batch_size = o.integer("batch_size");
  opt.T = o.integer("T");
  opt.start_noise = o.number("start_noise");
  opt.end_noise = o.number("end_noise");
  opt.time_dim = o.integer("time_dim");
  opt.hidden = o.integer("hidden");
  opt.blocks = o.integer("blocks");
  opt.init_coef = o.number("init_coef");
  opt.lr_nn = o.number("lr_nn");
  opt.lr_adj = o.number("lr_adj");
  opt.weight_decay_nn = o.number("weight_decay_nn");
  opt.weight_decay_adj = o.number("weight_decay_adj");
  opt.sparse_loss_coef = o.number("sparse_loss_coef");
  opt.adj_dropout = o.number("adj_dropout");  // < 1: checked by the engine
  opt.seed = o.seed("seed");
  opt.device = o.string("device");
  const grnglue::RunControls run = grnglue::run_controls(o);
  const std::string label = o.string("label");
  o.finish();
  for (R_xlen_t i = 0; i < rows.size(); ++i)
    if (rows[i] == NA_INTEGER || rows[i] < 1 || rows[i] > expr.nrow())
      throw grntorch_argument_error("rows", "must be 1-based row numbers of `expr`");
  opt.rows = grnglue::to_rows(rows);
  // The fit reads R's doubles in place (at float precision, as to_engine()
  // would convert them): no genes x cells copy, whatever the number of cells.
  // Finiteness: checked by infer_grn() in R and by the engine (check_expression).
  const grntorch::DoubleMatrixView x{expr.begin(), expr.nrow(), expr.ncol()};
  grnglue::ThreadScope scope(run.threads);
  grntorch::RegDiffusionResult res;
  const int used_threads = scope.in_effect();
  {
    grnglue::RMonitor mon(run.verbose, label);
    res = grntorch::regdiffusion_fit(x, opt, &mon);
  }
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A), Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss),
      Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse), Rcpp::Named("sparse") = Rcpp::wrap(res.trace.sparse),
      Rcpp::Named("adj_change") = Rcpp::wrap(res.trace.adj_change), Rcpp::Named("seconds") = res.seconds,
      Rcpp::Named("threads") = used_threads);
  GRN_CATCH
}
