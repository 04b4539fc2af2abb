using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// Matrix products. Backward never materialises a transpose: the GEMM reads Aᵀ or Bᵀ through its packing.
public sealed partial class Tensor<T>
{
    /// <summary>[m,k]·[k,n] → [m,n]; batched [..., m,k]·[..., k,n] with equal batch dimensions, or a
    /// batched left side times one matrix.</summary>
    public Tensor<T> MatMul(Tensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var a = this;
        var b = other;
        if (a.Rank < 2 || b.Rank < 2) throw new ArgumentException($"matmul needs matrices, got {ShapeMath.Format(a.shape)} and {ShapeMath.Format(b.shape)}");
        int m = a.shape[^2], k = a.shape[^1], n = b.shape[^1];
        if (b.shape[^2] != k)
            throw new ArgumentException($"matmul shapes {ShapeMath.Format(a.shape)} and {ShapeMath.Format(b.shape)} do not chain: {k} ≠ {b.shape[^2]}");
        int batch = a.Length / Math.Max(m * k, 1);
        bool sharedB = b.Rank == 2;
        if (!sharedB && !a.shape.AsSpan(0, a.Rank - 2).SequenceEqual(b.shape.AsSpan(0, b.Rank - 2)))
            throw new ArgumentException($"matmul batch dimensions differ: {ShapeMath.Format(a.shape)} and {ShapeMath.Format(b.shape)}");
        if (m * k == 0) batch = (int)ShapeMath.Product(a.shape.AsSpan(0, a.Rank - 2));

        var outputShape = (int[])a.shape.Clone();
        outputShape[^1] = n;
        var output = Tensor.Zeros<T>(outputShape);
        if (sharedB)
            MatrixMultiply.Multiply<T>(a.Data, b.Data, output.Data, batch * m, n, k);
        else
            for (int i = 0; i < batch; i++)
                MatrixMultiply.Multiply<T>(a.Data.Slice(i * m * k, m * k), b.Data.Slice(i * k * n, k * n), output.Data.Slice(i * m * n, m * n), m, n, k);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("matmul", [a, b], grad =>
        {
            var g = grad.Data;
            // dA = dC·Bᵀ,  dB = Aᵀ·dC
            if (sharedB)
            {
                if (a.RequiresGrad) MatrixMultiply.Multiply<T>(g, b.Data, a.GradBuffer(), batch * m, k, n, transposeB: true, accumulate: true);
                if (b.RequiresGrad) MatrixMultiply.Multiply<T>(a.Data, g, b.GradBuffer(), k, n, batch * m, transposeA: true, accumulate: true);
                return;
            }
            for (int i = 0; i < batch; i++)
            {
                var gi = g.Slice(i * m * n, m * n);
                if (a.RequiresGrad) MatrixMultiply.Multiply<T>(gi, b.Data.Slice(i * k * n, k * n), a.GradBuffer().Slice(i * m * k, m * k), m, k, n, transposeB: true, accumulate: true);
                if (b.RequiresGrad) MatrixMultiply.Multiply<T>(a.Data.Slice(i * m * k, m * k), gi, b.GradBuffer().Slice(i * k * n, k * n), k, n, m, transposeA: true, accumulate: true);
            }
        });
    }

    /// <summary>
    /// The dense layer in one op: x·Wᵀ + b, for x [batch, in] (or one sample [in]), weight [out, in], bias [out].
    /// </summary>
    /// <remarks>NOTE: fused rather than composed from transpose, matmul and add, so the graph holds one node per
    /// layer and backward reads W through the GEMM's transposed form instead of copying it.</remarks>
    public static Tensor<T> Linear(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"weight must be [out, in], got {ShapeMath.Format(weight.shape)}");
        int outputs = weight.shape[0], inputs = weight.shape[1];
        if (input.Rank is < 1 or > 2 || input.shape[^1] != inputs)
            throw new ArgumentException($"input {ShapeMath.Format(input.shape)} does not match weight {ShapeMath.Format(weight.shape)}: expected [batch, {inputs}] or [{inputs}]");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != outputs))
            throw new ArgumentException($"bias must be [{outputs}], got {ShapeMath.Format(bias.shape)}");
        int batch = input.Rank == 1 ? 1 : input.shape[0];
        var output = Tensor.Zeros<T>(input.Rank == 1 ? [outputs] : [batch, outputs]);
        var y = output.Data;
        if (bias is not null)
            for (int row = 0; row < batch; row++) bias.Data.CopyTo(y.Slice(row * outputs, outputs));
        MatrixMultiply.Multiply<T>(input.Data, weight.Data, y, batch, outputs, inputs, transposeB: true, accumulate: bias is not null);
        if (!ShouldRecord(input, weight, bias)) return output;
        return output.Recorded("linear", bias is null ? [input, weight] : [input, weight, bias], grad =>
        {
            var dOutput = grad.Data; // (batch, out)
            if (input.RequiresGrad) MatrixMultiply.Multiply<T>(dOutput, weight.Data, input.GradBuffer(), batch, inputs, outputs, accumulate: true);
            if (weight.RequiresGrad) MatrixMultiply.Multiply<T>(dOutput, input.Data, weight.GradBuffer(), outputs, inputs, batch, transposeA: true, accumulate: true);
            if (bias is { RequiresGrad: true })
            {
                var dBias = bias.GradBuffer();
                for (int row = 0; row < batch; row++)
                    System.Numerics.Tensors.TensorPrimitives.Add(dBias, dOutput.Slice(row * outputs, outputs), dBias);
            }
        });
    }
}
