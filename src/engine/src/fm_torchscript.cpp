// Foundation-model gene embeddings from a user's TorchScript module
// (see grntorch/torchscript.hpp).
#include "grntorch/torchscript.hpp"

#include "checks.hpp"
#include "errors.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <torch/script.h>

#include <limits>

namespace grntorch {

namespace {

torch::jit::script::Module load_module(const std::string& path) {
  try {
    auto module = torch::jit::load(path);
    module.eval();
    return module;
  } catch (const c10::Error& e) {
    throw InvalidArgument("cannot load TorchScript module '" + path + "': " + e.what_without_backtrace());
  }
}

// One batch's output: embeddings [B, G, d] (float64) and attention [B, G] (undefined when absent).
struct ModuleOutput {
  torch::Tensor h, att;
};

ModuleOutput run_module(torch::jit::script::Module& module, const torch::Tensor& xb, int64_t G) {
  c10::IValue out;
  try {
    out = module.forward({xb});
  } catch (const c10::Error& e) {
    throw EngineError(std::string("the TorchScript module failed on a cells x genes input: ") +
                      e.what_without_backtrace());
  }
  ModuleOutput r;
  if (out.isTuple()) {
    auto el = out.toTuple()->elements();
    if (el.empty() || !el[0].isTensor())
      throw InvalidArgument("the TorchScript module must return a tensor or (tensor, attention)");
    r.h = el[0].toTensor();
    if (el.size() > 1 && el[1].isTensor()) r.att = el[1].toTensor();
  } else if (out.isTensor()) {
    r.h = out.toTensor();
  } else {
    throw InvalidArgument("the TorchScript module must return a tensor or (tensor, attention)");
  }
  const int64_t B = xb.size(0);
  if (r.h.dim() != 3 || r.h.size(0) != B || r.h.size(1) != G)
    throw InvalidArgument("the TorchScript module must return cells x genes x d embeddings (got " +
                          std::to_string(r.h.dim()) + " dimensions or a size mismatch)");
  r.h = r.h.to(torch::kFloat64);
  return r;
}

// Running sums over cells: sum of h, and with attention sum of a h and of a.
struct Pooler {
  int64_t G = 0, dim = -1;
  bool has_att = false;
  torch::Tensor sum, wsum, wden;

  void add(ModuleOutput& o) {
    const int64_t B = o.h.size(0);
    if (dim < 0) {
      dim = o.h.size(2);
      sum = torch::zeros({G, dim}, torch::kFloat64);
      has_att = o.att.defined();
      if (has_att) {
        wsum = torch::zeros({G, dim}, torch::kFloat64);
        wden = torch::zeros({G}, torch::kFloat64);
      }
    }
    if (o.h.size(2) != dim) throw InvalidArgument("the TorchScript module changed its embedding width between batches");
    sum += o.h.sum(0);
    if (!has_att) return;
    if (!o.att.defined() || o.att.dim() != 2 || o.att.size(0) != B || o.att.size(1) != G)
      throw InvalidArgument("the TorchScript module's attention must be cells x genes");
    auto att = o.att.to(torch::kFloat64);
    if ((att < 0).any().item<bool>()) throw InvalidArgument("the TorchScript module's attention must be non-negative");
    wsum += (o.h * att.unsqueeze(2)).sum(0);
    wden += att.sum(0);
  }

  TorchScriptPooled result(int64_t C) const {
    if (!torch::isfinite(sum).all().item<bool>())
      throw InvalidArgument("the TorchScript module returned non-finite embeddings");
    TorchScriptPooled res;
    res.dim = static_cast<int>(dim);
    res.mean = tio::to_matrix(sum / static_cast<double>(C));
    res.has_attention = has_att;
    if (has_att) {
      // A gene that received no attention in any cell falls back to its mean.
      auto den = wden.unsqueeze(1);
      auto pooled = torch::where(den > 0, wsum / den.clamp_min(1e-300), sum / static_cast<double>(C));
      res.attentive = tio::to_matrix(pooled);
    }
    return res;
  }
};

TorchScriptPooled embeddings_impl(const std::string& path, const Matrix& expr, int batch_cells, Monitor* monitor) {
  if (batch_cells < 1) throw InvalidArgument("batch_cells must be >= 1");
  const int64_t G = expr.rows, C = expr.cols;
  detail::check_expression(expr, {"a TorchScript module", /*min_genes=*/1, /*min_cells=*/1});
  auto module = load_module(path);
  torch::NoGradGuard ng;
  auto x = tio::colmajor_tensor(expr);  // [cells, genes]
  Pooler pool;
  pool.G = G;
  const int total = static_cast<int>((C + batch_cells - 1) / batch_cells);
  int step = 0;
  for (int64_t c0 = 0; c0 < C; c0 += batch_cells) {
    check_interrupt(monitor);
    auto out = run_module(module, x.slice(0, c0, std::min(C, c0 + batch_cells)).clone(), G);
    pool.add(out);
    if (monitor) monitor->progress(++step, total, std::numeric_limits<double>::quiet_NaN());
  }
  return pool.result(C);
}

}  // namespace

TorchScriptPooled torchscript_embeddings(const std::string& path, const Matrix& expr, int batch_cells,
                                         Monitor* monitor) {
  return detail::guarded([&] { return embeddings_impl(path, expr, batch_cells, monitor); });
}

void write_torchscript_fixture(const std::string& path, int dim, bool with_attention, uint64_t seed) {
  detail::guarded([&] {
    if (dim < 1) throw InvalidArgument("dim must be >= 1");
    detail::SeedScope seeds(seed);  // the engine's random-stream rule (random_streams.hpp)
    torch::jit::Module m("GrntorchFixture");
    m.register_parameter("w", torch::randn({dim}), false);
    m.register_parameter("b", torch::randn({dim}), false);
    if (with_attention) {
      m.define(R"JIT(
def forward(self, x):
    h = x.unsqueeze(2) * self.w + self.b
    return (h, torch.softmax(x, 1))
)JIT");
    } else {
      m.define(R"JIT(
def forward(self, x):
    return x.unsqueeze(2) * self.w + self.b
)JIT");
    }
    m.save(path);
  });
}

}  // namespace grntorch
