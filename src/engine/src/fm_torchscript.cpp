// Foundation-model gene embeddings from a user's TorchScript module.
#include "grntorch/supervised.hpp"

#include <torch/script.h>
#include <torch/torch.h>

#include <cstring>
#include <limits>

namespace grntorch {

namespace {

Matrix to_genes_by_d(const torch::Tensor& gd) {  // [genes, d] -> column-major genes x d
  auto t = gd.to(torch::kFloat32).t().contiguous();
  Matrix m(static_cast<int>(gd.size(0)), static_cast<int>(gd.size(1)));
  std::memcpy(m.data.data(), t.data_ptr<float>(), m.data.size() * sizeof(float));
  return m;
}

}  // namespace

TorchScriptPooled torchscript_embeddings(const std::string& path, const Matrix& expr, int batch_cells,
                                         Monitor* monitor) {
  if (batch_cells < 1) throw InvalidArgument("batch_cells must be >= 1");
  const int64_t G = expr.rows, C = expr.cols;
  if (G < 1 || C < 1) throw InvalidArgument("expression is empty");
  torch::jit::script::Module module;
  try {
    module = torch::jit::load(path);
  } catch (const c10::Error& e) {
    throw InvalidArgument("cannot load TorchScript module '" + path + "': " + e.what_without_backtrace());
  }
  module.eval();
  torch::NoGradGuard ng;
  // Column-major genes x cells == row-major cells x genes.
  auto x = torch::from_blob(const_cast<float*>(expr.data.data()), {C, G}, torch::kFloat32);
  torch::Tensor sum, wsum, wden;
  int64_t dim = -1;
  bool has_att = false;
  const int total = static_cast<int>((C + batch_cells - 1) / batch_cells);
  int step = 0;
  for (int64_t c0 = 0; c0 < C; c0 += batch_cells) {
    check_interrupt(monitor);
    auto xb = x.slice(0, c0, std::min(C, c0 + batch_cells)).clone();
    const int64_t B = xb.size(0);
    c10::IValue out;
    try {
      out = module.forward({xb});
    } catch (const std::exception& e) {
      throw InvalidArgument(std::string("the TorchScript module failed on a cells x genes input: ") + e.what());
    }
    torch::Tensor h, att;
    if (out.isTuple()) {
      auto el = out.toTuple()->elements();
      if (el.empty() || !el[0].isTensor()) throw InvalidArgument("the TorchScript module must return a tensor or (tensor, attention)");
      h = el[0].toTensor();
      if (el.size() > 1 && el[1].isTensor()) att = el[1].toTensor();
    } else if (out.isTensor()) {
      h = out.toTensor();
    } else {
      throw InvalidArgument("the TorchScript module must return a tensor or (tensor, attention)");
    }
    if (h.dim() != 3 || h.size(0) != B || h.size(1) != G)
      throw InvalidArgument("the TorchScript module must return cells x genes x d embeddings (got " +
                            std::to_string(h.dim()) + " dimensions or a size mismatch)");
    h = h.to(torch::kFloat64);
    if (dim < 0) {
      dim = h.size(2);
      sum = torch::zeros({G, dim}, torch::kFloat64);
      has_att = att.defined();
      if (has_att) {
        wsum = torch::zeros({G, dim}, torch::kFloat64);
        wden = torch::zeros({G}, torch::kFloat64);
      }
    }
    if (h.size(2) != dim) throw InvalidArgument("the TorchScript module changed its embedding width between batches");
    sum += h.sum(0);
    if (has_att) {
      if (!att.defined() || att.dim() != 2 || att.size(0) != B || att.size(1) != G)
        throw InvalidArgument("the TorchScript module's attention must be cells x genes");
      att = att.to(torch::kFloat64);
      if ((att < 0).any().item<bool>()) throw InvalidArgument("the TorchScript module's attention must be non-negative");
      wsum += (h * att.unsqueeze(2)).sum(0);
      wden += att.sum(0);
    }
    if (monitor) monitor->progress(++step, total, std::numeric_limits<double>::quiet_NaN());
  }
  if (!torch::isfinite(sum).all().item<bool>()) throw InvalidArgument("the TorchScript module returned non-finite embeddings");
  TorchScriptPooled res;
  res.dim = static_cast<int>(dim);
  res.mean = to_genes_by_d(sum / static_cast<double>(C));
  res.has_attention = has_att;
  if (has_att) {
    // A gene that received no attention in any cell falls back to its mean.
    auto den = wden.unsqueeze(1);
    auto pooled = torch::where(den > 0, wsum / den.clamp_min(1e-300), sum / static_cast<double>(C));
    res.attentive = to_genes_by_d(pooled);
  }
  return res;
}

void write_torchscript_fixture(const std::string& path, int dim, bool with_attention, uint64_t seed) {
  if (dim < 1) throw InvalidArgument("dim must be >= 1");
  torch::manual_seed(seed);
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
}

}  // namespace grntorch
