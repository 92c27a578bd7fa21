// Fused kernels for the ops a transformer step spends its memory traffic on: LayerNorm (forward and
// backward with the gamma/beta gradients in the same pass), GELU's backward, the softmax backward, and
// one AdamW update per parameter. Each replaces 5-12 TF.js kernels and as many passes over the tensor.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace hs {

namespace {
constexpr int64_t kGrain = 1 << 15;
constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

void rowStats(const float* __restrict x, int64_t d, float eps, float* meanOut, float* rstdOut) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < d; ++i) s += x[i];
  const float mean = s / static_cast<float>(d);
  float q = 0.0f;
#pragma omp simd reduction(+ : q)
  for (int64_t i = 0; i < d; ++i) q += (x[i] - mean) * (x[i] - mean);
  *meanOut = mean;
  *rstdOut = 1.0f / std::sqrt(q / static_cast<float>(d) + eps);
}
}  // namespace

void layerNorm(const float* x, const float* gamma, const float* beta, float* out, int64_t rows, int64_t d,
               float eps) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(d, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict xr = x + r * d;
      float* __restrict o = out + r * d;
      float mean, rstd;
      rowStats(xr, d, eps, &mean, &rstd);
      for (int64_t i = 0; i < d; ++i) o[i] = (xr[i] - mean) * rstd * gamma[i] + beta[i];
    }
  });
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma; dgamma = sum dy*xhat; dbeta = sum dy.
void layerNormBackward(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta,
                       int64_t rows, int64_t d, float eps) {
  std::fill(dgamma, dgamma + d, 0.0f);
  std::fill(dbeta, dbeta + d, 0.0f);
  std::mutex merge;
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(d, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    std::vector<float> xhat(d), g(d), dgLocal(d, 0.0f), dbLocal(d, 0.0f);
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict xr = x + r * d;
      const float* __restrict dyr = dy + r * d;
      float* __restrict dxr = dx + r * d;
      float mean, rstd;
      rowStats(xr, d, eps, &mean, &rstd);
      float sg = 0.0f, sgx = 0.0f;
#pragma omp simd reduction(+ : sg, sgx)
      for (int64_t i = 0; i < d; ++i) {
        const float xh = (xr[i] - mean) * rstd;
        const float gi = dyr[i] * gamma[i];
        xhat[i] = xh;
        g[i] = gi;
        sg += gi;
        sgx += gi * xh;
        dgLocal[i] += dyr[i] * xh;
        dbLocal[i] += dyr[i];
      }
      const float mg = sg / static_cast<float>(d);
      const float mgx = sgx / static_cast<float>(d);
      for (int64_t i = 0; i < d; ++i) dxr[i] = rstd * (g[i] - mg - xhat[i] * mgx);
    }
    std::lock_guard<std::mutex> lock(merge);
    for (int64_t i = 0; i < d; ++i) {
      dgamma[i] += dgLocal[i];
      dbeta[i] += dbLocal[i];
    }
  });
}

// dx = dy * gelu'(x), gelu'(x) = Phi(x) + x * phi(x).
void geluBackward(const float* dy, const float* x, float* dx, int64_t n) {
  pool().parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float v = x[i];
      const float d = 0.5f * (1.0f + fastErf(v * kSqrtHalf)) + v * kInvSqrt2Pi * fastExp(-0.5f * v * v);
      dx[i] = dy[i] * d;
    }
  });
}

// dx = y * (dy - sum(dy * y)) per row.
void softmaxBackward(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict dyr = dy + r * cols;
      const float* __restrict yr = y + r * cols;
      float* __restrict o = dx + r * cols;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < cols; ++i) s += dyr[i] * yr[i];
      for (int64_t i = 0; i < cols; ++i) o[i] = yr[i] * (dyr[i] - s);
    }
  });
}

namespace {
// max and sum(exp(x - max)) of a row.
void rowLogSumExp(const float* __restrict x, int64_t cols, float* maxOut, float* sumOut) {
  float m = -INFINITY;
  for (int64_t i = 0; i < cols; ++i) m = x[i] > m ? x[i] : m;
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < cols; ++i) s += fastExp(x[i] - m);
  *maxOut = m;
  *sumOut = s;
}
}  // namespace

// loss[r] = logsumexp(logits[r]) - logits[r, label[r]]; nothing of size rows x cols is written.
void softmaxXent(const float* logits, const int32_t* labels, float* loss, int64_t rows, int64_t cols) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* x = logits + r * cols;
      float m, s;
      rowLogSumExp(x, cols, &m, &s);
      loss[r] = std::log(s) + m - x[labels[r]];
    }
  });
}

// dlogits = (softmax(logits) - onehot(labels)) * scale, the softmax recomputed rather than stored.
void softmaxXentBackward(const float* logits, const int32_t* labels, float* out, int64_t rows, int64_t cols,
                         float scale) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict x = logits + r * cols;
      float* __restrict o = out + r * cols;
      float m, s;
      rowLogSumExp(x, cols, &m, &s);
      const float k = scale / s;
      for (int64_t i = 0; i < cols; ++i) o[i] = fastExp(x[i] - m) * k;
      o[labels[r]] -= scale;
    }
  });
}

double sumSquares(const float* x, int64_t n) {
  double total = 0.0;
  std::mutex merge;
  pool().parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    // Float partial sums over short runs (vectorised), added up in double.
    double part = 0.0;
    for (int64_t i0 = begin; i0 < end; i0 += 1024) {
      const int64_t i1 = std::min(end, i0 + 1024);
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t i = i0; i < i1; ++i) s += x[i] * x[i];
      part += s;
    }
    std::lock_guard<std::mutex> lock(merge);
    total += part;
  });
  return total;
}

void adamw(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
           int64_t n, const AdamWHyper& h) {
  const float b1 = h.beta1, b2 = h.beta2, c1 = h.oneMinusBeta1, c2 = h.oneMinusBeta2;
  const float decay = h.decay, stepSize = h.stepSize, invBias2Sqrt = 1.0f / h.bias2Sqrt, eps = h.eps;
  const float gradScale = h.gradScale;
  pool().parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float gi = g[i] * gradScale;
      const float mi = b1 * m[i] + c1 * gi;
      const float vi = b2 * v[i] + c2 * gi * gi;
      const float denom = std::sqrt(vi) * invBias2Sqrt + eps;
      pOut[i] = p[i] * decay - stepSize * (mi / denom);
      mOut[i] = mi;
      vOut[i] = vi;
    }
  });
}

}  // namespace hs
