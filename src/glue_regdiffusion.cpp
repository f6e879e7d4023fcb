#include "glue.h"

#include "grntorch/regdiffusion.hpp"

#include <limits>

// One RegDiffusion run.  expr: genes x cells (finite, checked); opts: the
// options of regdiffusion() (see R/methods-regdiffusion.R) plus threads,
// verbose and label.  Returns A (genes x genes, A[regulator, target]) and the
// per-step trace.
// [[Rcpp::export(.grn_regdiffusion)]]
Rcpp::List grn_regdiffusion(const Rcpp::NumericMatrix expr, const Rcpp::List opts) {
  GRN_TRY
  const double inf = std::numeric_limits<double>::infinity();
  grnglue::Options o(opts, "regdiffusion()");
  grntorch::RegDiffusionOptions opt;
  opt.steps = o.integer("steps", 1, 1e7);
  opt.batch_size = o.integer("batch_size", 1, 1e7);
  opt.T = o.integer("T", 2, 1e7);
  opt.start_noise = o.number("start_noise", 0, 1, grnglue::Bound::open_min);
  opt.end_noise = o.number("end_noise", 0, 1, grnglue::Bound::open_min);
  opt.time_dim = o.integer("time_dim", 4, 1e5);
  opt.hidden = o.integer("hidden", 2, 1e4);
  opt.blocks = o.integer("blocks", 1, 100);
  opt.init_coef = o.number("init_coef", 0, inf);
  opt.lr_nn = o.number("lr_nn", 0, inf, grnglue::Bound::open_min);
  opt.lr_adj = o.number("lr_adj", 0, inf, grnglue::Bound::open_min);
  opt.weight_decay_nn = o.number("weight_decay_nn", 0, inf);
  opt.weight_decay_adj = o.number("weight_decay_adj", 0, inf);
  opt.sparse_loss_coef = o.number("sparse_loss_coef", 0, inf);
  opt.adj_dropout = o.number("adj_dropout", 0, 1);  // < 1: checked by the engine
  opt.seed = o.seed("seed");
  opt.device = o.string("device");
  const int threads = grnglue::threads_option(o);
  const bool verbose = o.flag("verbose");
  const std::string label = o.string("label");
  o.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grnglue::ThreadScope scope(threads);
  grntorch::RegDiffusionResult res;
  const int used_threads = scope.in_effect();
  {
    grnglue::RMonitor mon(verbose, label);
    res = grntorch::regdiffusion_fit_inplace(x, opt, &mon);  // x is not needed afterwards
  }
  x = grntorch::Matrix();  // free the genes x cells copy before A is converted
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A), Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss),
      Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse), Rcpp::Named("sparse") = Rcpp::wrap(res.trace.sparse),
      Rcpp::Named("adj_change") = Rcpp::wrap(res.trace.adj_change), Rcpp::Named("seconds") = res.seconds,
      Rcpp::Named("threads") = used_threads);
  GRN_CATCH
}
