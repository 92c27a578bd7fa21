// The native kernels behind the 'headstart-cpu' TF.js backend. All tensors are dense row-major float32
// (int32 for indices) that JS owns; shapes arrive already validated and collapsed by the TypeScript side.
#pragma once

#include <cstdint>

namespace hs {

constexpr int kMaxRank = 6;

// Op codes shared with src/native/addon.ts (keep the numbers in sync).
enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference, kPow, kRealDiv };
enum UnaryOp {
  kExp = 0, kLog, kNeg, kSqrt, kRsqrt, kSquare, kRelu, kErf, kTanh, kSigmoid, kAbs, kReciprocal, kStep,
  kGeluErf, kGeluErfGrad, kRelu6, kElu, kLeakyRelu
};
enum ReduceOp { kSum = 0, kMax, kMin, kMean, kProd };

void setThreads(int threads);
// Threads OpenBLAS uses inside one sgemm; 1 (the default) lets the kernel pool split matmuls instead.
void setBlasThreads(int threads);
int blasThreads();
int threads();

// C[b] = op(A[b]) * op(B[b]) (+ bias on every row) for b in [0, batch); strides are in elements, 0
// broadcasts an operand; bias (n values) may be null.
void batchMatMul(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k,
                 bool transA, bool transB, int64_t strideA, int64_t strideB, const float* bias = nullptr);

// out[i] = a[.] op b[.] over `shape` with per-operand element strides (0 = broadcast).
void binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* shape,
            const int64_t* strideA, const int64_t* strideB);
void unary(int op, const float* x, float* out, int64_t n, float alpha);

// Reduce the middle axis of x viewed as [outer, mid, inner].
void reduce(int op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner);
void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log);

// out = transpose(x) where out axis i is x axis perm[i]; shape is x's shape.
void transpose(const float* x, float* out, int rank, const int64_t* shape, const int32_t* perm,
               int elemBytes);
// Gather along the middle axis of x viewed as [outer, axisDim, inner]; returns the first bad index
// position or -1.
int64_t gather(const void* x, const int32_t* idx, void* out, int64_t outer, int64_t axisDim, int64_t inner,
               int64_t nIdx, int elemBytes);
void unsortedSegmentSum(const float* x, const int32_t* ids, float* out, int64_t n, int64_t inner,
                        int64_t numSegments);

struct AdamWHyper {
  float beta1, beta2, eps;
  float decay;          // 1 - lr * weightDecay (decoupled), or 1
  float stepSize;       // lr / (1 - beta1^t)
  float bias2Sqrt;      // sqrt(1 - beta2^t)
  // 1 - beta1 and 1 - beta2 taken in double and rounded once, as torch does: 1.0f - 0.999f is 1.3e-5 off
  // 0.001f, which would scale every second moment (and so every step) by that much.
  float oneMinusBeta1, oneMinusBeta2;
  // Multiplies every gradient first (clipping by global norm), as a separate multiply kernel would.
  float gradScale;
};

void layerNorm(const float* x, const float* gamma, const float* beta, float* out, int64_t rows, int64_t d,
               float eps);
void layerNormBackward(const float* dy, const float* x, const float* gamma, float* dx, float* dgamma, float* dbeta,
                       int64_t rows, int64_t d, float eps);
void geluBackward(const float* dy, const float* x, float* dx, int64_t n);
void softmaxBackward(const float* dy, const float* y, float* dx, int64_t rows, int64_t cols);
void softmaxXent(const float* logits, const int32_t* labels, float* loss, int64_t rows, int64_t cols);
void softmaxXentBackward(const float* logits, const int32_t* labels, float* out, int64_t rows, int64_t cols,
                         float scale);
// Self-attention on q, k, v laid out [batch·seq, heads·headSize] (the projections' own layout).
struct AttentionShape {
  int64_t batch, seq, heads, headSize;
  float scale;  // applied to the scores, 1/sqrt(headSize)
};
// probs [batch, heads, seq, seq] (softmax, before dropout) and ctx [batch·seq, heads·headSize]. keyBias is an
// additive [batch, seq] mask over keys and dropMask a [batch, heads, seq, seq] dropout multiplier; either may
// be null.
void attentionForward(const float* q, const float* k, const float* v, const float* keyBias, const float* dropMask,
                      float* probs, float* ctx, const AttentionShape& s);
void attentionBackward(const float* dctx, const float* q, const float* k, const float* v, const float* probs,
                       const float* dropMask, float* dq, float* dk, float* dv, const AttentionShape& s);
// Sum of x[i]^2, accumulated in double (for gradient norms over millions of values).
double sumSquares(const float* x, int64_t n);
void adamw(const float* p, const float* g, const float* m, const float* v, float* pOut, float* mOut, float* vOut,
           int64_t n, const AdamWHyper& h);

}  // namespace hs
