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
    public void A_tanh_under_large_inputs_passes_where_the_large_steps_stop_short()
    {
        // z[0][1] = −2 under an input of 30: first steps of 1 to 0.03 move it by 30 to 0.9, and the best of them stopped
        // extrapolating 2.4e-6 off: it failed at 3.3e-6 although autograd's −0.7226010823966726 is PyTorch's.
        var model = ExplainModelFile.Parse("""
            {"input": [30, -20, 15], "target": [0.5, -0.2], "loss": "squared_error", "learning_rate": 0.1,
             "layers": [
              {"activation": "tanh", "weights": [[0.1, 0.2, 0.3], [-0.1, 0.05, 0.2], [0.02, 0.01, -0.03]], "bias": [0.5, -1, 0.1]},
              {"activation": "identity", "weights": [[0.3, 0.4, 0.5], [-0.2, 0.1, 0.7]], "bias": [0.1, 0.2]}]}
            """, "tanh.json");

        var result = ModelGradientCheck.Check(model);

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
    }

    [Fact]
    public void A_tanh_flat_to_the_bit_passes_although_the_largest_step_reaches_past_its_bend()
    {
        // tanh(−84) is −1 exactly, so ∂C/∂w is 0 (PyTorch agrees); a step of 1 moves z by 168, out of the flat, and
        // the large steps believed a slope of several units there.
        var model = ExplainModelFile.Parse("""
            {"input": [168], "target": [0.5], "loss": "squared_error", "learning_rate": 0.1,
             "layers": [{"activation": "tanh", "weights": [[-0.5]], "bias": [0]}]}
            """, "flat.json");

        var result = ModelGradientCheck.Check(model);

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
        Assert.Equal(0, result.Parameters[0].Numeric);
    }

    [Fact]
    public void An_input_near_the_largest_double_without_kinks_gets_finite_steps()
    {
        // tanh(1e309) is 1 and the loss 0 at every step; the step for kinks, ∞ / (40 × 1e308 × 10), was NaN.
        var model = ExplainModelFile.Parse("""
            {"input": [1e308], "target": [1], "loss": "mse", "learning_rate": 0.1,
             "layers": [{"activation": "tanh", "weights": [[10]], "bias": [0]}]}
            """, "huge.json");

        var result = ModelGradientCheck.Check(model);

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
    }

    /// <summary>Two of the random relu networks with weights of σ = 2.5 whose correct gradients failed: the layer-wide
    /// bound on the first step near the kinks was so small that its round-off passed the tolerance.</summary>
    [Theory]
    [InlineData("""
        {"input": [[-0.5708300193784672], [-2.562958960071129], [-1.157514229047937], [-2.9071599920375806]], "target": [2, 3, 2, 1], "loss": "cross_entropy", "learning_rate": 0.1, "layers": [{"type": "dense", "activation": "relu", "weights": [[-0.7996622830884171], [5.381283363718017]], "bias": [-0.9811959184892155, 4.488778621182207]}, {"type": "dense", "activation": "leaky_relu", "weights": [[-5.064616917005141, -3.32996261294849], [-3.1218988561156475, 3.491837197342553]], "bias": [1.3827305884016072, -1.6244164917888844]}, {"type": "dense", "activation": "leaky_relu", "weights": [[-1.3292625496587172, -2.1092645253425184], [1.139940526355137, -0.7517789442843028], [-1.1289130247395214, 2.0365728414038506], [-2.3023692300077134, -3.2383177717097333]], "bias": [-3.6153556484538605, 0.7056435393222995, 4.040650299224499, -0.5076035203151679]}]}
        """)]
    [InlineData("""
        {"input": [[2.084432887924447, 1.0343436263797319], [1.0091003455804701, -0.010841609211592102], [1.164422394242995, -2.7995758734725222]], "target": [[1.0], [0.0], [1.0]], "loss": "binary_cross_entropy", "learning_rate": 0.1, "layers": [{"type": "dense", "activation": "leaky_relu", "weights": [[3.53309990697732, -1.1909524718842217], [3.4855848056796335, -0.3241848520438873], [2.045688215693836, -1.1484675005325398], [0.40370709758478696, -2.684908203815706]], "bias": [-3.031403979520863, 1.3781424402752205, 2.684436479948833, 1.32131269920938]}, {"type": "dense", "activation": "relu", "weights": [[0.04916691135031166, -1.8260653412889638, -0.23877703023955907, -1.5684273401832052], [1.6540164516075353, -0.3473715401481236, 0.32158003004775976, 0.9878736955849858]], "bias": [3.096728805991131, 1.465389226635806]}, {"type": "dense", "activation": "softplus", "weights": [[0.5561949657796721, -5.358628161068722]], "bias": [-1.5444243285500976]}]}
        """)]
    public void Relu_networks_with_large_weights_pass_with_steps_that_clear_each_kink(string json)
    {
        var result = ModelGradientCheck.Check(ExplainModelFile.Parse(json, "relu.json"));

        Assert.True(result.Passed(), $"max relative error {result.MaxRelativeError}");
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

    [Fact]
    public void A_wrong_backward_rule_behind_a_tanh_under_a_large_input_is_still_caught()
    {
        // The large steps reach past the tanh's bend and are replaced by the small steps' estimate, which still sees 2x.
        var w = Tensor.From(new[] { -2.0 / 30, 0.5 }).RequireGrad();
        var input = Tensor.From(new[] { 30.0, 168.0 });

        var result = GradientCheck.CheckExtrapolated(() => WrongSquare((w * input).Tanh()).Sum(), [("w", w)]);

        Assert.False(result.Passed());
        Assert.Equal(1.0 / 3.0, result.Parameters.Single().MaxRelativeError, 1e-6);
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
