using Backprop.Nn;
using FsCheck.Xunit;

namespace Backprop.Tests.Ops;

/// <summary>Every differentiable op agrees with central finite differences over random shapes.</summary>
public sealed class GradientPropertyTests
{
    private const double Tolerance = 1e-6;

    [Property(MaxTest = 40)]
    public void Broadcast_arithmetic_matches_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        var shapeA = RandomShapes.Shape(random);
        var shapeB = RandomShapes.BroadcastPartner(random, shapeA);
        if (random.Next(2) == 0) (shapeA, shapeB) = (shapeB, shapeA);
        var a = RandomShapes.Values(random, shapeA);
        var b = RandomShapes.Values(random, shapeB, 0.5, 2.0); // away from 0 for division
        var weights = new Random(seed + 1);
        Func<Tensor<double>> loss = (which % 5) switch
        {
            0 => () => FiniteDifferences.Weighted(a + b, new Random(seed)),
            1 => () => FiniteDifferences.Weighted(a - b, new Random(seed)),
            2 => () => FiniteDifferences.Weighted(a * b, new Random(seed)),
            3 => () => FiniteDifferences.Weighted(a / b, new Random(seed)),
            _ => () => FiniteDifferences.Weighted(Tensor<double>.Maximum(a, b), new Random(seed)),
        };
        Assert.True(FiniteDifferences.MaxRelativeError(loss, a, b) < Tolerance);
    }

    [Property(MaxTest = 30)]
    public void Unary_functions_match_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        var x = RandomShapes.Values(random, RandomShapes.Shape(random), 0.2, 3.0);
        Func<Tensor<double>, Tensor<double>> f = (which % 7) switch
        {
            0 => t => t.Exp(),
            1 => t => t.Log(),
            2 => t => t.Sqrt(),
            3 => t => t.Pow(3.0),
            4 => t => t.Pow(0.5),
            5 => t => t.Square(),
            _ => t => -t,
        };
        Assert.True(FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Weighted(f(x), new Random(seed)), x) < Tolerance);
    }

    [Property(MaxTest = 40)]
    public void Activations_match_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        var x = RandomShapes.Values(random, RandomShapes.Shape(random), -4, 4);
        // Keep relu and leaky_relu away from their kink, where finite differences straddle two slopes.
        foreach (ref var value in x.Data) if (Math.Abs(value) < 1e-3) value = 0.5;
        var activation = Enum.GetValues<Activation>()[which % 7];
        Assert.True(FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Weighted(x.Apply(activation), new Random(seed)), x) < Tolerance);
    }

    [Property(MaxTest = 30)]
    public void Reductions_match_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        var shape = RandomShapes.Shape(random);
        var x = RandomShapes.Values(random, shape);
        int axis = random.Next(-shape.Length, shape.Length);
        bool keepDim = random.Next(2) == 0;
        Func<Tensor<double>> loss = (which % 5) switch
        {
            0 => () => FiniteDifferences.Weighted(x.Sum(axis, keepDim), new Random(seed)),
            1 => () => FiniteDifferences.Weighted(x.Mean(axis, keepDim), new Random(seed)),
            2 => () => FiniteDifferences.Weighted(x.Max(axis, keepDim), new Random(seed)),
            3 => () => x.Mean(),
            _ => () => FiniteDifferences.Weighted(x.LogSoftmax(), new Random(seed)),
        };
        Assert.True(FiniteDifferences.MaxRelativeError(loss, x) < Tolerance);
    }

    [Property(MaxTest = 30)]
    public void Matrix_products_match_finite_differences(int seed, bool batched)
    {
        var random = new Random(seed);
        int m = random.Next(1, 5), k = random.Next(1, 5), n = random.Next(1, 5), batch = random.Next(1, 3);
        var a = RandomShapes.Values(random, batched ? [batch, m, k] : [m, k]);
        var b = RandomShapes.Values(random, batched && random.Next(2) == 0 ? [batch, k, n] : [k, n]);
        Assert.True(FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Weighted(a.MatMul(b), new Random(seed)), a, b) < Tolerance);
    }

    [Property(MaxTest = 30)]
    public void Linear_and_shape_ops_match_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        int batch = random.Next(1, 5), inputs = random.Next(1, 5), outputs = random.Next(1, 5);
        var x = RandomShapes.Values(random, which % 2 == 0 ? [batch, inputs] : [inputs]);
        var weight = RandomShapes.Values(random, [outputs, inputs]);
        var bias = RandomShapes.Values(random, [outputs]);
        Func<Tensor<double>> loss = (which % 4) switch
        {
            0 or 1 => () => FiniteDifferences.Weighted(Tensor<double>.Linear(x, weight, bias), new Random(seed)),
            2 => () => FiniteDifferences.Weighted(weight.Transpose().Reshape(-1), new Random(seed)),
            _ => () => FiniteDifferences.Weighted(weight.Rows(outputs - 1, 1), new Random(seed)),
        };
        Assert.True(FiniteDifferences.MaxRelativeError(loss, x, weight, bias) < Tolerance);
    }

    [Property(MaxTest = 30)]
    public void Losses_match_finite_differences(int seed, byte which)
    {
        var random = new Random(seed);
        int batch = random.Next(1, 5), classes = random.Next(2, 6);
        var logits = RandomShapes.Values(random, [batch, classes], -3, 3);
        var targets = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        var real = RandomShapes.Values(random, [batch, classes]);
        var binary = Tensor.FromArray(Enumerable.Range(0, batch * classes).Select(_ => (double)random.Next(2)).ToArray(), batch, classes);
        Func<Tensor<double>> loss = (which % 4) switch
        {
            0 => () => Loss.CrossEntropy(logits, targets),
            1 => () => Loss.BinaryCrossEntropy(logits, binary),
            2 => () => Loss.SquaredError(logits, real),
            _ => () => Loss.Mse(logits, real),
        };
        Assert.True(FiniteDifferences.MaxRelativeError(loss, logits) < Tolerance);
    }
}
