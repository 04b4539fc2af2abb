using Backprop.Nn;

namespace Backprop.Tests.Ops;

/// <summary>Values and slopes worked out by hand (closed forms), one per op, activation and loss.</summary>
public sealed class HandWorkedTests
{
    private static (double Value, double Slope) At(double x, Func<Tensor<double>, Tensor<double>> f)
    {
        var input = Tensor.From(new[] { x }).RequireGrad();
        var output = f(input);
        output.Sum().Backward();
        return (output.Item(), input.Grad![0]);
    }

    [Theory]
    [InlineData("exp", 1.0, Math.E, Math.E)]
    [InlineData("log", Math.E, 1.0, 1 / Math.E)]
    [InlineData("sqrt", 4.0, 2.0, 0.25)]
    [InlineData("cube", 2.0, 8.0, 12.0)]
    [InlineData("square", -3.0, 9.0, -6.0)]
    [InlineData("identity", -3.5, -3.5, 1.0)]
    [InlineData("sigmoid", 0.0, 0.5, 0.25)]
    [InlineData("tanh", 0.0, 0.0, 1.0)]
    [InlineData("relu", -1.0, 0.0, 0.0)]
    [InlineData("relu", 0.0, 0.0, 0.0)]
    [InlineData("relu", 2.0, 2.0, 1.0)]
    [InlineData("leaky_relu", -2.0, -0.02, 0.01)]
    [InlineData("leaky_relu", 3.0, 3.0, 1.0)]
    [InlineData("softplus", 0.0, 0.6931471805599453, 0.5)]
    [InlineData("gelu", 0.0, 0.0, 0.5)]
    [InlineData("gelu", 1.0, 0.8413447460685429, 1.0833154705876864)] // Φ(1) and Φ(1) + φ(1)
    public void Function_value_and_slope(string name, double x, double value, double slope)
    {
        Func<Tensor<double>, Tensor<double>> f = name switch
        {
            "exp" => t => t.Exp(),
            "log" => t => t.Log(),
            "sqrt" => t => t.Sqrt(),
            "cube" => t => t.Pow(3.0),
            "square" => t => t.Square(),
            _ => ActivationNames.TryParse(name, out var activation) ? t => t.Apply(activation) : throw new ArgumentException(name),
        };
        var (actualValue, actualSlope) = At(x, f);
        Assert.Equal(value, actualValue, 1e-15);
        Assert.Equal(slope, actualSlope, 1e-15);
    }

    [Fact]
    public void Losses_match_hand_computation()
    {
        var prediction = Tensor.From(new[] { 1.0, 3.0 }).RequireGrad();
        var target = Tensor.From(new[] { 2.0, 1.0 });
        var squared = Loss.SquaredError(prediction, target); // (−1)² + 2² = 5; ∂/∂p = 2(p − t) = [−2, 4]
        squared.Backward();
        Assert.Equal(5.0, squared.Item());
        Assert.Equal(new[] { -2.0, 4.0 }, prediction.Grad!.ToArray());

        prediction.ZeroGrad();
        var mean = Loss.Mse(prediction, target); // 5/2; gradient halved
        mean.Backward();
        Assert.Equal(2.5, mean.Item());
        Assert.Equal(new[] { -1.0, 2.0 }, prediction.Grad!.ToArray());

        var logits = Tensor.From(new[] { 0.0, 0.0 }).RequireGrad(); // softmax = [½, ½]: loss ln 2, ∂ = p − onehot
        var crossEntropy = Loss.CrossEntropy(logits, [1]);
        crossEntropy.Backward();
        Assert.Equal(Math.Log(2), crossEntropy.Item(), 1e-15);
        Assert.Equal(new[] { 0.5, -0.5 }, logits.Grad!.ToArray());

        var logit = Tensor.From(new[] { 0.0 }).RequireGrad(); // σ(0) = ½: loss ln 2, ∂ = σ − t = −½
        var binary = Loss.BinaryCrossEntropy(logit, Tensor.From(new[] { 1.0 }));
        binary.Backward();
        Assert.Equal(Math.Log(2), binary.Item(), 1e-15);
        Assert.Equal(-0.5, logit.Grad![0], 1e-15);
    }
}
