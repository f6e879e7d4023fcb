// link_bench: train a supervised graph model (GENELink by default) on a
// BEELINE TFs+500 folder and its bridge-grn-sample1 split with no R, print
// where the training loop's time went, and optionally every LibTorch
// operator's time (the autograd profiler's Chrome trace).
//
//   link_bench --folder ../shared/data/beeline/specific/hHEP-tfs500
//              [--model genelink|gnnlink] [--epochs 10] [--threads 1] [--batch 256]
//              [--split bridge-grn-sample1] [--seed 1] [--trace trace.json] [--ops 30]
//
// --trace writes the trace of the whole fit (open it in chrome://tracing or
// sum it with bench/trace-summary.py).  --ops N prints the N operators
// (with their input shapes) of largest self time per training batch, from
// the same profiler: its own overhead inflates the small operators.  The folder holds
// BL--ExpressionData.csv.gz (genes x cells), Target.csv (index -> gene) and
// splits/<split>/{Train,Validation,Test}_set.csv.gz (TF, Target, Label by
// index); the test pairs are only scored (test AUROC), as in bench/supervised.R.
#include "grntorch/metrics.hpp"
#include "grntorch/supervised.hpp"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using grntorch::Matrix;

namespace {

std::string slurp(const std::string& path) {
  std::string out;
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (gz) {
    FILE* p = popen(("gzip -dc '" + path + "'").c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run gzip on " + path);
    char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
    if (pclose(p) != 0) throw std::runtime_error("gzip failed on " + path);
    return out;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else if (c != '\r' && c != '"') {
      cur.push_back(c);
    }
  }
  f.push_back(cur);
  return f;
}

// genes x cells, gene symbols in `genes`.
Matrix read_expression(const std::string& path, std::vector<std::string>& genes) {
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  const int cells = static_cast<int>(split_csv(line).size()) - 1;
  std::vector<std::vector<float>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_csv(line);
    if (static_cast<int>(f.size()) != cells + 1) throw std::runtime_error("ragged row in " + path);
    genes.push_back(f[0]);
    std::vector<float> r(cells);
    for (int c = 0; c < cells; ++c) r[c] = std::strtof(f[c + 1].c_str(), nullptr);
    rows.push_back(std::move(r));
  }
  Matrix m(static_cast<int>(rows.size()), cells);
  for (int g = 0; g < m.rows; ++g)
    for (int c = 0; c < cells; ++c) m(g, c) = rows[g][c];
  return m;
}

// index -> expression row, through the gene symbols of Target.csv.
std::map<int, int> index_rows(const std::string& path, const std::vector<std::string>& genes) {
  std::map<std::string, int> row;
  for (int i = 0; i < static_cast<int>(genes.size()); ++i) row[genes[i]] = i;
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  std::map<int, int> out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_csv(line);  // "", Gene, index
    auto it = row.find(f.at(1));
    if (it != row.end()) out[std::stoi(f.at(2))] = it->second;
  }
  return out;
}

grntorch::LabeledPairs read_pairs(const std::string& path, const std::map<int, int>& rows) {
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  grntorch::LabeledPairs p;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_csv(line);  // "", TF, Target, Label
    auto a = rows.find(std::stoi(f.at(1))), b = rows.find(std::stoi(f.at(2)));
    if (a == rows.end() || b == rows.end()) continue;
    p.from.push_back(a->second);
    p.to.push_back(b->second);
    p.label.push_back(std::stof(f.at(3)));
  }
  return p;
}

std::string shapes_str(const std::vector<std::vector<int64_t>>& shapes) {
  std::string out;
  for (const auto& s : shapes) {
    if (s.empty()) continue;
    out += out.empty() ? "[" : " [";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
    out += "]";
  }
  return out;
}

struct OpTime {
  double self_us = 0, incl_us = 0;
  long calls = 0;
};

// Self and inclusive time per (operator, input shapes) from the legacy
// profiler's push / pop events (a stack per thread).
std::map<std::string, OpTime> op_times(const torch::autograd::profiler::thread_event_lists& lists) {
  using torch::autograd::profiler::EventKind;
  using torch::autograd::profiler::LegacyEvent;
  std::map<std::string, OpTime> out;
  for (const auto& events : lists) {
    struct Open {
      const LegacyEvent* ev;
      std::string key;
      double child_us;
    };
    std::vector<Open> stack;
    for (const LegacyEvent& e : events) {
      if (e.kind() == EventKind::PushRange) {
        stack.push_back({&e, std::string(e.name()) + " " + shapes_str(e.shapes()), 0.0});
      } else if (e.kind() == EventKind::PopRange && !stack.empty()) {
        Open o = stack.back();
        stack.pop_back();
        const double us = o.ev->cpuElapsedUs(e);
        OpTime& t = out[o.key];
        t.incl_us += us;
        t.self_us += us - o.child_us;
        ++t.calls;
        if (!stack.empty()) stack.back().child_us += us;
      }
    }
  }
  return out;
}

void usage() {
  std::cerr << "usage: link_bench --folder DIR [--model genelink|gnnlink] [--epochs N] [--threads N] [--batch N]\n"
               "                  [--split NAME] [--seed N] [--trace FILE.json] [--ops N]\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder, model = "genelink", split = "bridge-grn-sample1", trace;
  int epochs = 10, threads = 1, batch = 256, ops = 0;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--folder") folder = next();
    else if (a == "--model") model = next();
    else if (a == "--epochs") epochs = std::stoi(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--batch") batch = std::stoi(next());
    else if (a == "--split") split = next();
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--trace") trace = next();
    else if (a == "--ops") ops = std::stoi(next());
    else {
      usage();
      return 2;
    }
  }
  if (folder.empty()) {
    usage();
    return 2;
  }
  try {
    std::vector<std::string> genes;
    const Matrix expr = read_expression(folder + "/BL--ExpressionData.csv.gz", genes);
    const auto rows = index_rows(folder + "/Target.csv", genes);
    const auto train = read_pairs(folder + "/splits/" + split + "/Train_set.csv.gz", rows);
    const auto validation = read_pairs(folder + "/splits/" + split + "/Validation_set.csv.gz", rows);
    std::vector<int> regs;
    for (std::size_t i = 0; i < train.size(); ++i) regs.push_back(train.from[i]);
    std::sort(regs.begin(), regs.end());
    regs.erase(std::unique(regs.begin(), regs.end()), regs.end());
    grntorch::SupervisedOptions o;
    if (model == "genelink") {
      o.model = grntorch::SupervisedModel::GENELink;
      o.dropout = 0.5;  // genelink()'s default (attention dropout)
    } else if (model == "gnnlink") {
      o.model = grntorch::SupervisedModel::GNNLink;
      o.dropout = 0.5;
    } else {
      usage();
      return 2;
    }
    o.epochs = epochs;
    o.batch_size = batch;
    o.seed = seed;
    at::set_num_threads(threads);
    std::printf("%s: %d genes x %d cells, %zu training pairs, %zu validation pairs, %d regulators, %d thread(s)\n",
                model.c_str(), expr.rows, expr.cols, train.size(), validation.size(), static_cast<int>(regs.size()),
                threads);
    const Matrix no_embeddings;
    const auto t0 = std::chrono::steady_clock::now();
    grntorch::SupervisedResult res;
    std::map<std::string, OpTime> times;
    {
      std::unique_ptr<torch::autograd::profiler::RecordProfile> prof;
      std::unique_ptr<torch::autograd::profiler::TLSLegacyProfilerGuard> guard;
      if (!trace.empty()) {
        prof = std::make_unique<torch::autograd::profiler::RecordProfile>(trace);
      } else if (ops > 0) {
        torch::profiler::impl::ProfilerConfig cfg(torch::profiler::impl::ProfilerState::CPU, true);
        guard = std::make_unique<torch::autograd::profiler::TLSLegacyProfilerGuard>(
            cfg, [&](const torch::autograd::profiler::thread_event_lists& l) { times = op_times(l); });
      }
      res = grntorch::fit_supervised(expr, regs, train, validation, no_embeddings, o, nullptr);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& s = res.seconds;
    const double batches = static_cast<double>(res.epochs_run) *
                           static_cast<double>((train.size() + batch - 1) / batch);
    std::printf("fit %.3f s for %d epochs; training loop: forward %.3f s, backward %.3f s, step %.3f s, "
                "validation %.3f s\n", secs, res.epochs_run, s.forward, s.backward, s.step, s.validation);
    std::printf("per batch: forward %.2f ms, backward %.2f ms, step %.2f ms\n", 1e3 * s.forward / batches,
                1e3 * s.backward / batches, 1e3 * s.step / batches);
    // Test AUROC from the regulators x genes logits (column-major).
    const auto test = read_pairs(folder + "/splits/" + split + "/Test_set.csv.gz", rows);
    std::vector<float> score, label;
    for (std::size_t i = 0; i < test.size(); ++i) {
      const auto r = std::lower_bound(regs.begin(), regs.end(), test.from[i]);
      if (r == regs.end() || *r != test.from[i]) continue;  // not a regulator: unscored
      score.push_back(res.scores(static_cast<int>(r - regs.begin()), test.to[i]));
      label.push_back(test.label[i]);
    }
    std::printf("best epoch %d, validation AUROC %.4f, test AUROC %.5f (%zu of %zu test pairs)\n", res.best_epoch,
                res.val_auroc.empty() ? 0.0 : res.val_auroc[res.best_epoch - 1], grntorch::auroc(score, label),
                score.size(), test.size());
    if (!times.empty()) {
      std::vector<std::pair<std::string, OpTime>> v(times.begin(), times.end());
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
      double total = 0;
      for (const auto& kv : v) total += kv.second.self_us;
      std::printf("\nprofiled: %.1f ms of self time per batch; largest (ms per batch, calls per batch):\n",
                  total / 1e3 / batches);
      for (int i = 0; i < ops && i < static_cast<int>(v.size()); ++i)
        std::printf("%8.3f %5.1f%% %6.2f  %s\n", v[i].second.self_us / 1e3 / batches,
                    100 * v[i].second.self_us / total, v[i].second.calls / batches, v[i].first.c_str());
    }
  } catch (const std::exception& e) {
    std::cerr << "link_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
