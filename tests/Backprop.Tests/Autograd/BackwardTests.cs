namespace Backprop.Tests.Autograd;

public sealed class BackwardTests
{
    [Fact]
    public void A_tensor_used_twice_accumulates_both_gradients()
    {
        var x = Tensor.From(new[] { 3.0 }).RequireGrad();
        (x * x + x).Sum().Backward(); // d/dx (x² + x) = 2x + 1
        Assert.Equal(7.0, x.Grad![0]);
    }

    [Fact]
    public void A_relu_input_takes_its_first_gradient_whole_and_adds_the_next_ones()
    {
        // ReLU's backward hands its first gradient over as the input's Grad; later ones must add to it.
        var x = Tensor.From(new[] { -1.0, 2.0, 3.0 }).RequireGrad();
        (x.Relu() * 2.0 + x.Relu() * 5.0).Sum().Backward();
        Assert.Equal(new[] { 0.0, 7, 7 }, x.Grad!.ToArray());
        (x.Relu() * 10.0).Sum().Backward();
        Assert.Equal(new[] { 0.0, 17, 17 }, x.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var x = Tensor.From(new[] { 2.0 }).RequireGrad();
        (x * 3.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.Equal(6.0, x.Grad![0]);
        x.ZeroGrad();
        Assert.Equal(0.0, x.Grad![0]);
    }

    [Fact]
    public void Broadcast_gradients_are_summed_back_to_the_source_shape()
    {
        var batch = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        var bias = Tensor.From(new[] { 0.5, -0.5 }).RequireGrad();
        (batch + bias).Sum().Backward();
        Assert.Equal(new[] { 2 }, bias.Grad!.Shape.ToArray());
        Assert.Equal(new double[] { 3, 3 }, bias.Grad.ToArray());
    }

    [Fact]
    public void A_graph_a_hundred_thousand_ops_deep_does_not_overflow_the_stack()
    {
        var x = Tensor.From(new[] { 1.0 }).RequireGrad();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y + 1.0;
        y.Sum().Backward();
        Assert.Equal(1.0, x.Grad![0]);
    }

    [Fact]
    public void Nothing_is_recorded_inside_a_no_grad_scope()
    {
        var x = Tensor.From(new[] { 1.0 }).RequireGrad();
        using (GradMode.NoGrad())
        {
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.Equal("leaf", y.Operation);
        }
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Backward_from_a_non_scalar_needs_an_explicit_gradient()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 }).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
    }

    [Fact]
    public void A_second_backward_through_the_same_graph_adds_the_same_gradient_again()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 }).RequireGrad();
        var y = (x * x).Sum();
        y.Backward();
        y.Backward();
        Assert.Equal(new[] { 4.0, 8.0 }, x.Grad!.ToArray()); // 2 · 2x; the first pass's gradients are not sent back twice
    }

    [Fact]
    public void Two_losses_on_one_trunk_give_the_gradient_of_their_sum()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 }).RequireGrad();
        var trunk = x * 3.0;
        trunk.Sum().Backward();
        (trunk * trunk).Sum().Backward();

        var xTogether = Tensor.From(new[] { 1.0, 2.0 }).RequireGrad();
        var trunkTogether = xTogether * 3.0;
        (trunkTogether.Sum() + (trunkTogether * trunkTogether).Sum()).Backward();

        Assert.Equal(new[] { 21.0, 39.0 }, x.Grad!.ToArray()); // 3 + 18x, as PyTorch with retain_graph=True
        Assert.Equal(xTogether.Grad!.ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void Backward_from_a_tensor_that_records_no_graph_is_refused()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 });
        var error = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("RequireGrad", error.Message);
    }

    [Fact]
    public void A_no_grad_scope_disposed_twice_still_leaves_recording_on()
    {
        var scope = GradMode.NoGrad();
        var copy = scope;
        scope.Dispose();
        copy.Dispose();
        Assert.True(GradMode.IsEnabled);
        Assert.True((Tensor.From(new[] { 1.0 }).RequireGrad() * 2.0).RequiresGrad);
    }

    [Fact]
    public void Nested_no_grad_scopes_restore_the_mode_each_found()
    {
        using (GradMode.NoGrad())
        {
            using (GradMode.NoGrad()) Assert.False(GradMode.IsEnabled);
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
    }
}
