using Backprop.Explain;
using Backprop.IO;
using FsCheck.Xunit;

namespace Backprop.Tests.Explain;

public sealed class ExplainEngineTests
{
    private static StepTrace NotebookStep() => ExplainEngine.Step(ExplainModelFile.Notebook());

    [Fact]
    public void The_notebook_forward_pass_has_its_numbers_including_the_real_g2()
    {
        var layers = NotebookStep().Forward.Single().Layers;

        Assert.Equal(11.9, layers[0].Neurons[0].Z, 1e-14);
        Assert.Equal(11.82, layers[0].Neurons[1].Z, 1e-14);
        Assert.Equal(0.999993209641302, layers[0].Neurons[0].A);
        // NOTE: the notebook printed g1 under the label g2; this is g2.
        Assert.Equal(0.9999926440963977, layers[0].Neurons[1].A);
        Assert.Equal(12.699995020530949, layers[1].Neurons[0].A, 1e-13);
    }

    [Fact]
    public void The_notebook_w1_gradient_is_x0_times_sigma_prime_times_w7_times_twice_the_error()
    {
        var step = NotebookStep();
        var w1 = step.Backward[0].Weights[0][0];
        var factors = w1.Terms.Single().Factors;

        Assert.Equal([FactorKind.Input, FactorKind.ActivationDerivative, FactorKind.Weight, FactorKind.LossGradient], factors.Select(f => f.Kind));
        Assert.Equal(7, factors[0].Value);
        Assert.Equal(0.3, factors[2].Value);
        Assert.Equal(2 * (12.699995020530949 - 85), factors[3].Value, 1e-12);
        Assert.Equal(-0.002061946462793834, w1.Gradient, 1e-17);
        Assert.Equal(w1.Gradient, w1.Terms.Single().Product, 1e-17);
    }

    [Fact]
    public void The_notebook_w7_gradient_is_g1_times_twice_the_error()
    {
        var w7 = NotebookStep().Backward[1].Weights[0][0];

        Assert.Equal([FactorKind.Input, FactorKind.LossGradient], w7.Terms.Single().Factors.Select(f => f.Kind));
        Assert.Equal(-144.59902807300276, w7.Gradient, 1e-11);
    }

    [Fact]
    public void The_update_is_the_parameter_minus_the_learning_rate_times_the_gradient()
    {
        var step = NotebookStep();

        Assert.Equal(0.10020619464627939, step.Updated[0].Weights[0][0], 1e-16);
        Assert.Equal(14.759902807300277, step.Updated[1].Weights[0][0], 1e-13);
        Assert.Equal(26.46000099589381, step.Updated[1].Bias[0], 1e-13);
    }

    [Fact]
    public void Each_step_starts_from_the_previous_steps_updated_parameters()
    {
        var trace = ExplainEngine.Run(ExplainModelFile.Notebook(), steps: 3);

        Assert.Equal(3, trace.Steps.Count);
        Assert.Same(trace.Steps[0].Updated, trace.Steps[1].Model.Layers);
        Assert.Same(trace.Steps[1].Updated, trace.Steps[2].Model.Layers);
        Assert.NotEqual(trace.Steps[0].Loss.Value, trace.Steps[1].Loss.Value);
    }

    [Property(MaxTest = 200)]
    public void Every_chain_rule_factor_list_multiplies_to_its_gradient(int seed)
    {
        var step = ExplainEngine.Step(RandomModels.Create(seed));

        foreach (var layer in step.Backward)
            foreach (var gradient in layer.Weights.SelectMany(row => row).Concat(layer.Biases))
            {
                double sum = gradient.Terms.Sum(term => term.Product);
                double scale = gradient.Terms.Sum(term => Math.Abs(term.Product));
                Assert.True(Math.Abs(sum - gradient.Gradient) <= 1e-12 * scale + 1e-300,
                    $"seed {seed}: {ExplainNotation.Parameter(gradient.Parameter)}: factors give {sum}, autograd {gradient.Gradient}");
            }
    }

    [Property(MaxTest = 200)]
    public void Each_delta_is_the_activation_derivative_times_the_gradient_from_above(int seed)
    {
        var model = RandomModels.Create(seed);
        var step = ExplainEngine.Step(model);

        foreach (var layer in step.Backward)
            foreach (var delta in layer.Deltas.SelectMany(sample => sample))
            {
                Assert.Equal(delta.ActivationDerivative * delta.OutputGradient, delta.Delta);
                if (delta.Layer < model.Layers.Count - 1)
                    Assert.Equal(delta.Downstream.Sum(term => term.Weight * term.Delta), delta.OutputGradient, 1e-12);
            }
    }

    [Property(MaxTest = 100)]
    public void The_loss_terms_average_to_the_librarys_loss(int seed)
    {
        var loss = ExplainEngine.Step(RandomModels.Create(seed)).Loss;

        double fromTerms = loss.Samples.Sum(sample => sample.Terms.Sum()) / loss.Denominator;
        Assert.Equal(loss.Value, fromTerms, 1e-12 * Math.Max(1, Math.Abs(loss.Value)));
    }

    [Property(MaxTest = 100)]
    public void The_graph_ends_at_the_loss_and_lists_inputs_before_outputs(int seed)
    {
        var step = ExplainEngine.Step(RandomModels.Create(seed));
        var nodes = step.Graph.Nodes;

        Assert.Equal("C", nodes[^1].Label);
        Assert.Equal(step.Loss.Value, nodes[^1].Value.Single());
        Assert.All(nodes, node => Assert.All(node.Inputs, input => Assert.True(input < node.Id)));
    }
}
