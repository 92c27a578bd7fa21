// Multi-head self-attention over q, k, v in their projection layout [batch·seq, heads·headSize]: one task
// per (batch item, head) runs scores → softmax → context (and the backward chain) with strided sgemm
// calls, so no head split/merge transposes are written and a task's S×S scores stay in L2 between its
// steps (the composition made 4-D transposed copies and passed each S×S tensor through memory 4 times).
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace hs {

namespace {

void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb),
              0.0f, c, static_cast<int>(ldc));
}

// Row softmax in place, after adding the key bias (additive padding mask) when there is one.
void softmaxRows(float* p, const float* keyBias, int64_t s) {
  for (int64_t r = 0; r < s; ++r) {
    float* __restrict row = p + r * s;
    if (keyBias) {
      for (int64_t j = 0; j < s; ++j) row[j] += keyBias[j];
    }
    float m = -INFINITY;
    for (int64_t j = 0; j < s; ++j) m = row[j] > m ? row[j] : m;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < s; ++j) {
      const float e = fastExp(row[j] - m);
      row[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < s; ++j) row[j] *= inv;
  }
}

// Runs fn(task) for every (batch item, head); in parallel unless OpenBLAS splits each sgemm itself.
template <class F>
void forEachHead(int64_t tasks, F fn) {
  if (blasThreads() > 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  pool().parallelFor(tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) fn(t);
  });
}

// Per-thread S×S scratch, reused across calls.
float* scratch(std::vector<float>& buf, int64_t n) {
  if (static_cast<int64_t>(buf.size()) < n) buf.resize(static_cast<size_t>(n));
  return buf.data();
}

}  // namespace

void attentionForward(const float* q, const float* k, const float* v, const float* keyBias, const float* dropMask,
                      float* probs, float* ctx, const AttentionShape& s) {
  const int64_t d = s.heads * s.headSize, ss = s.seq * s.seq;
  forEachHead(s.batch * s.heads, [&](int64_t t) {
    const int64_t b = t / s.heads, h = t % s.heads;
    const int64_t off = b * s.seq * d + h * s.headSize;
    float* p = probs + t * ss;
    sgemm(false, true, s.seq, s.seq, s.headSize, s.scale, q + off, d, k + off, d, p, s.seq);
    softmaxRows(p, keyBias ? keyBias + b * s.seq : nullptr, s.seq);
    const float* used = p;
    if (dropMask) {
      thread_local std::vector<float> buf;
      float* pm = scratch(buf, ss);
      const float* mask = dropMask + t * ss;
      for (int64_t i = 0; i < ss; ++i) pm[i] = p[i] * mask[i];
      used = pm;
    }
    sgemm(false, false, s.seq, s.headSize, s.seq, 1.0f, used, s.seq, v + off, d, ctx + off, d);
  });
}

// With P = softmax(scale·QKᵀ + bias) and C = (P ⊙ M)·V:
//   dV = (P ⊙ M)ᵀ·dC;  dP = (dC·Vᵀ) ⊙ M;  dS = P ⊙ (dP − rowsum(dP ⊙ P));  dQ = scale·dS·K;  dK = scale·dSᵀ·Q.
void attentionBackward(const float* dctx, const float* q, const float* k, const float* v, const float* probs,
                       const float* dropMask, float* dq, float* dk, float* dv, const AttentionShape& s) {
  const int64_t d = s.heads * s.headSize, ss = s.seq * s.seq;
  forEachHead(s.batch * s.heads, [&](int64_t t) {
    const int64_t b = t / s.heads, h = t % s.heads;
    const int64_t off = b * s.seq * d + h * s.headSize;
    const float* p = probs + t * ss;
    const float* mask = dropMask ? dropMask + t * ss : nullptr;
    thread_local std::vector<float> dsBuf, pmBuf;
    float* ds = scratch(dsBuf, ss);
    const float* used = p;
    if (mask) {
      float* pm = scratch(pmBuf, ss);
      for (int64_t i = 0; i < ss; ++i) pm[i] = p[i] * mask[i];
      used = pm;
    }
    sgemm(true, false, s.seq, s.headSize, s.seq, 1.0f, used, s.seq, dctx + off, d, dv + off, d);
    sgemm(false, true, s.seq, s.seq, s.headSize, 1.0f, dctx + off, d, v + off, d, ds, s.seq);
    for (int64_t r = 0; r < s.seq; ++r) {
      float* __restrict dr = ds + r * s.seq;
      const float* __restrict pr = p + r * s.seq;
      if (mask) {
        const float* __restrict mr = mask + r * s.seq;
        for (int64_t j = 0; j < s.seq; ++j) dr[j] *= mr[j];
      }
      float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < s.seq; ++j) dot += dr[j] * pr[j];
      for (int64_t j = 0; j < s.seq; ++j) dr[j] = pr[j] * (dr[j] - dot);
    }
    sgemm(false, false, s.seq, s.headSize, s.seq, s.scale, ds, s.seq, k + off, d, dq + off, d);
    sgemm(true, false, s.seq, s.headSize, s.seq, s.scale, ds, s.seq, q + off, d, dk + off, d);
  });
}

}  // namespace hs
