using Backprop.Nn;
namespace Backprop.Tests.Ops;

/// <summary>No overflow, no NaN at ±1000, in float32 and float64, forward and backward.</summary>
public sealed class NumericalStabilityTests
{
    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.Gelu)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    public void Activations_stay_finite_at_extreme_inputs(Activation activation)
    {
        var x = Tensor.From(new[] { -1000.0, -50, 0, 50, 1000 }).RequireGrad();
        var y = x.Apply(activation);
        y.Sum().Backward();
        Assert.All(y.ToArray(), v => Assert.True(double.IsFinite(v)));
        Assert.All(x.Grad!.ToArray(), v => Assert.True(double.IsFinite(v)));

        var xf = Tensor.From(new[] { -1000f, 1000f }).RequireGrad();
        var yf = xf.Apply(activation);
        yf.Sum().Backward();
        Assert.All(yf.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(xf.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Softplus_and_sigmoid_keep_their_asymptotes()
    {
        var y = Tensor.From(new[] { -1000.0, 1000.0 }).Softplus().ToArray();
        Assert.Equal(0.0, y[0]);
        Assert.Equal(1000.0, y[1]);
        var s = Tensor.From(new[] { -1000.0, 1000.0 }).Sigmoid().ToArray();
        Assert.Equal(new[] { 0.0, 1.0 }, s);
    }

    [Fact]
    public void Cross_entropy_and_log_softmax_are_finite_for_huge_logits()
    {
        var logits = Tensor.FromArray(new[] { 1000f, -1000f, 0f, -1000f, 1000f, 999f }, 2, 3).RequireGrad();
        var loss = Loss.CrossEntropy(logits, [1, 1]);
        loss.Backward();
        Assert.Equal((2000f + 0.31326166f) / 2, loss.Item(), 2); // row 0: 2000 nats; row 1: log(1 + e⁻¹)
        Assert.All(logits.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(logits.LogSoftmax().ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Binary_cross_entropy_from_logits_is_finite_for_huge_logits()
    {
        var logits = Tensor.From(new[] { 1000.0, -1000.0 }).RequireGrad();
        var loss = Loss.BinaryCrossEntropy(logits, Tensor.From(new[] { 0.0, 1.0 }));
        loss.Backward();
        Assert.Equal(1000.0, loss.Item(), 9);
        Assert.Equal(new[] { 0.5, -0.5 }, logits.Grad!.ToArray());
    }
}
