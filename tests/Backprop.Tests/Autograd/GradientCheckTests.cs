using Backprop.Explain;
using Backprop.IO;
using Backprop.Tests.Explain;
using FsCheck.Xunit;

namespace Backprop.Tests.Autograd;

public sealed class GradientCheckTests
{
    [Fact]
    public void The_notebook_passes_with_every_parameter_checked()
    {
        var result = ModelGradientCheck.Check(ExplainModelFile.Notebook());

        Assert.Equal(["layers[0].weights", "layers[0].bias", "layers[1].weights", "layers[1].bias"], result.Parameters.Select(p => p.Name));
        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
    }

    [Property(MaxTest = 25)]
    public void Smooth_random_models_pass(int seed)
    {
        var result = ModelGradientCheck.Check(RandomModels.Create(seed, smoothOnly: true));

        Assert.True(result.Passed(), $"seed {seed}: max relative error {result.MaxRelativeError}");
    }

    /// <summary>Large weights saturate sigmoids and tanhs, leaving gradients far below the loss; finite differences of
    /// the loss cannot resolve those to 1e-6 relative, and with a fixed floor such correct gradients failed.</summary>
    [Property(MaxTest = 25)]
    public void Smooth_random_models_with_large_weights_pass(int seed)
    {
        var result = ModelGradientCheck.Check(RandomModels.Create(seed, smoothOnly: true, weightScale: 4));

        Assert.True(result.Passed(), $"seed {seed}: max relative error {result.MaxRelativeError}");
    }

    [Fact]
    public void A_saturated_sigmoids_tiny_gradient_beside_a_large_loss_passes()
    {
        // σ(20) is 1 − 2e-9: ∂C/∂b = −4.08e-7 (PyTorch agrees to the bit) beside C = 9801; it failed at 1.8e-4.
        var model = ExplainModelFile.Parse("""
            {"input": [1], "target": [100], "loss": "squared_error", "learning_rate": 0.1,
             "layers": [{"activation": "sigmoid", "weights": [[20]], "bias": [0]}]}
            """, "saturated.json");

        var result = ModelGradientCheck.Check(model);

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
        Assert.Equal(-4.08108430216537e-07, result.Parameters[1].Analytic, 1e-20);
    }

    [Fact]
    public void A_wrong_gradient_far_below_a_large_loss_is_still_caught()
    {
        // C ≈ 10,000, so gradients below 0.01 are compared absolutely: 1.5e-3 against the true 1e-3 is still 33 % off.
        var x = Tensor.From(new[] { 5e-4 }).RequireGrad();

        var result = GradientCheck.CheckExtrapolated(() => WrongSquare(x).Sum() + 1e4, [("x", x)]);

        Assert.False(result.Passed());
        Assert.Equal(0.05, result.Parameters.Single().MaxRelativeError, 1e-6); // 5e-4 / max(1.5e-3, 1e-6 × 10,000)
    }

    [Theory]
    [InlineData(0.5, 1e-6)]
    [InlineData(-2.0, 2e-6)]
    [InlineData(9801.0, 9.801e-3)]
    [InlineData(double.NaN, 1e-6)]
    public void Below_a_millionth_of_the_loss_gradients_compare_absolutely(double loss, double floor)
    {
        Assert.Equal(floor, GradientCheck.FloorFor(loss), floor * 1e-12);
    }

    [Fact]
    public void Plain_central_differences_check_a_composed_expression()
    {
        var random = new Random(7);
        var a = Tensor.Uniform(random, -1.0, 1.0, 3, 4).RequireGrad();
        var b = Tensor.Uniform(random, 0.5, 2.0, 4).RequireGrad();

        var result = GradientCheck.Check(() => ((a * b).Tanh() / b + a.Exp()).Square().Mean(), [("a", a), ("b", b)]);

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
    }

    [Fact]
    public void A_wrong_backward_rule_is_caught()
    {
        var random = new Random(3);
        var x = Tensor.Uniform(random, -1.0, 1.0, 5).RequireGrad();

        var result = GradientCheck.Check(() => WrongSquare(x).Sum(), [("x", x)]);

        Assert.False(result.Passed());
        var check = result.Parameters.Single();
        Assert.Equal(1.0 / 3.0, check.MaxRelativeError, 1e-6); // 3x against 2x
        Assert.Equal(1.5 * check.Numeric, check.Analytic, 1e-6);
    }

    [Fact]
    public void A_wrong_backward_rule_is_caught_by_the_extrapolated_check_too()
    {
        var x = Tensor.From(new[] { 0.5, -2.0 }).RequireGrad();

        Assert.False(GradientCheck.CheckExtrapolated(() => WrongSquare(x).Sum(), [("x", x)]).Passed());
    }

    [Theory]
    [InlineData(1.0, 1.0, 0.0)]
    [InlineData(2.0, 1.0, 0.5)]
    [InlineData(1e-12, 0.0, 1e-4)] // below the 1e-8 floor the error is absolute, scaled by 1e8
    [InlineData(double.NaN, 1.0, double.PositiveInfinity)]
    public void The_relative_error_is_the_difference_over_the_larger_magnitude(double analytic, double numeric, double expected)
    {
        Assert.Equal(expected, GradientCheck.RelativeError(analytic, numeric), 1e-15);
    }

    /// <summary>x², with a deliberately wrong backward: 3x instead of 2x.</summary>
    private static Tensor<double> WrongSquare(Tensor<double> input)
    {
        var output = Tensor.Zeros<double>(input.Shape.ToArray());
        for (int i = 0; i < input.Length; i++) output.Data[i] = input.Data[i] * input.Data[i];
        return output.Recorded("wrong_square", [input], grad =>
        {
            var inputGrad = input.GradBuffer();
            for (int i = 0; i < input.Length; i++) inputGrad[i] += grad.Data[i] * 3 * input.Data[i];
        });
    }
}
