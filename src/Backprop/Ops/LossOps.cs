using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

// Numerically delicate ops, hand-differentiated rather than composed: composing exp, sum and log would
// overflow at large logits, and the fused backward (softmax − one-hot) is both exact and cheaper.
public sealed partial class Tensor<T>
{
    /// <summary>log softmax over the last axis, via the log-sum-exp shift by the row maximum.</summary>
    public Tensor<T> LogSoftmax()
    {
        if (Rank == 0) throw new ArgumentException("log_softmax needs at least one axis (the classes), got a scalar");
        var input = this;
        int classes = shape[^1];
        int rows = classes == 0 ? 0 : Length / classes;
        var output = Tensor.Zeros<T>(shape);
        for (int r = 0; r < rows; r++)
        {
            var x = Data.Slice(r * classes, classes);
            var y = output.Data.Slice(r * classes, classes);
            T logSumExp = Reductions.LogSumExp(x);
            TensorPrimitives.Subtract(x, logSumExp, y);
        }
        if (!ShouldRecord(input)) return output;
        return output.Recorded("log_softmax", [input], grad =>
        {
            // ∂/∂xⱼ Σᵢ gᵢ·yᵢ = gⱼ − softmaxⱼ · Σᵢ gᵢ
            var inputGrad = input.GradBuffer();
            for (int r = 0; r < rows; r++)
            {
                var g = grad.Data.Slice(r * classes, classes);
                var y = output.Data.Slice(r * classes, classes);
                var dx = inputGrad.Slice(r * classes, classes);
                T total = TensorPrimitives.Sum<T>(g);
                for (int j = 0; j < classes; j++) dx[j] += g[j] - T.Exp(y[j]) * total;
            }
        });
    }

    /// <summary>Softmax over the last axis: each row's probabilities, which sum to 1 (torch.softmax(x, dim=-1)).</summary>
    /// <remarks>NOTE: composed from <see cref="LogSoftmax"/>, so it stays finite at ±1000 and its gradient comes for free.</remarks>
    public Tensor<T> Softmax() => LogSoftmax().Exp();

    /// <summary>
    /// Mean over samples of −log softmax(logits)[target]. <paramref name="logits"/> is [batch, classes] or one
    /// sample [classes]; <paramref name="targets"/> holds one class index per sample.
    /// </summary>
    public static Tensor<T> CrossEntropy(Tensor<T> logits, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank is 0 or > 2 || logits.shape[^1] == 0)
            throw new ArgumentException($"cross entropy expects logits [batch, classes] or [classes] with at least one class, got {ShapeMath.Format(logits.shape)}");
        int classes = logits.shape[^1];
        int rows = logits.Rank == 1 ? 1 : logits.shape[0];
        if (targets.Length != rows) throw new ArgumentException($"{targets.Length} targets for {rows} samples");
        var targetCopy = targets.ToArray();
        foreach (int target in targetCopy)
            if ((uint)target >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(targets), $"class index {target} is outside [0, {classes})");
        var probabilities = new T[logits.Length];
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            var x = logits.Data.Slice(r * classes, classes);
            T logSumExp = Reductions.LogSumExp(x);
            total += logSumExp - x[targetCopy[r]];
            var p = probabilities.AsSpan(r * classes, classes);
            TensorPrimitives.Subtract(x, logSumExp, p);
            TensorPrimitives.Exp(p, p);
        }
        var output = Tensor.Scalar(total / T.CreateChecked(rows));
        if (!ShouldRecord(logits)) return output;
        return output.Recorded("cross_entropy", [logits], grad =>
        {
            // ∂loss/∂logitsᵣⱼ = (softmaxᵣⱼ − [j = targetᵣ]) / batch
            T scale = grad.Data[0] / T.CreateChecked(rows);
            var dLogits = logits.GradBuffer();
            for (int r = 0; r < rows; r++)
            {
                var p = probabilities.AsSpan(r * classes, classes);
                var dx = dLogits.Slice(r * classes, classes);
                for (int j = 0; j < classes; j++) dx[j] += scale * (j == targetCopy[r] ? p[j] - T.One : p[j]);
            }
        });
    }

    /// <summary>Mean over all elements of the logistic loss max(x,0) − x·t + log(1 + e^−|x|), targets t in {0, 1}.</summary>
    public static Tensor<T> BinaryCrossEntropyWithLogits(Tensor<T> logits, Tensor<T> targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!ShapeMath.SameShape(logits.shape, targets.shape))
            throw new ArgumentException($"targets {ShapeMath.Format(targets.shape)} differ from logits {ShapeMath.Format(logits.shape)}");
        var x = logits.Data;
        var t = targets.Data;
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double xi = double.CreateTruncating(x[i]);
            total += Math.Max(xi, 0) - xi * double.CreateTruncating(t[i]) + ActivationFunctions.LogOnePlus(Math.Exp(-Math.Abs(xi)));
        }
        // NOTE: the mean of no values is 0 / 0 = NaN, as Mean() and PyTorch give: an empty batch must not look like a perfect one.
        var output = Tensor.Scalar(T.CreateTruncating(total / x.Length));
        if (!ShouldRecord(logits, targets)) return output;
        return output.Recorded("binary_cross_entropy", [logits, targets], grad =>
        {
            // ∂loss/∂xᵢ = (σ(xᵢ) − tᵢ) / count ;  ∂loss/∂tᵢ = −xᵢ / count
            var x = logits.Data;
            var t = targets.Data;
            T scale = grad.Data[0] / T.CreateChecked(x.Length);
            if (logits.RequiresGrad)
            {
                var dx = logits.GradBuffer();
                for (int i = 0; i < x.Length; i++) dx[i] += scale * (T.CreateTruncating(ActivationFunctions.Sigmoid(double.CreateTruncating(x[i]))) - t[i]);
            }
            if (targets.RequiresGrad)
            {
                var dt = targets.GradBuffer();
                for (int i = 0; i < x.Length; i++) dt[i] -= scale * x[i];
            }
        });
    }
}
