namespace Backprop.Explain;

/// <summary>`backprop gradcheck`: autograd against finite differences for every parameter of an explain model.</summary>
public static class ModelGradientCheck
{
    /// <summary>
    /// Checks each layer's weights and bias (named "layers[l].weights", "layers[l].bias") at the model's
    /// parameters, with Richardson-extrapolated central differences (see <see cref="GradientCheck.CheckExtrapolated"/>).
    /// </summary>
    public static GradientCheckResult Check(ExplainModel model)
    {
        var network = ExplainNetwork.Build(model);
        return GradientCheck.CheckExtrapolated(network.Loss, network.NamedParameters());
    }

    /// <summary>How close to a kink a pre-activation may lie before the finite differences' steps (down to about
    /// 1e-3 of a parameter) may straddle it.</summary>
    public const double KinkDistance = 1e-2;

    /// <summary>
    /// The pre-activations that lie within <see cref="KinkDistance"/> of a kink of their activation (relu's or
    /// leaky_relu's, at 0), written "z[l][j] (relu) = value" (with the sample for a batch). At the kink the
    /// derivative is undefined, and near it the finite differences mix the two slopes, while autograd takes one
    /// (relu's 0 at the kink, as PyTorch): a mismatch in the parameters feeding such a neuron does not mean a
    /// wrong gradient.
    /// </summary>
    public static IReadOnlyList<string> Kinks(ExplainModel model) =>
        ExplainEngine.Step(model).Forward.SelectMany(sample => sample.Layers
            .Where(layer => layer.Activation is Activation.Relu or Activation.LeakyRelu)
            .SelectMany(layer => layer.Neurons
                .Where(neuron => Math.Abs(neuron.Z) < KinkDistance)
                .Select(neuron => $"z[{neuron.Layer}][{neuron.Neuron}]{(model.IsBatch ? $" of sample {sample.Sample}" : "")} " +
                    $"({layer.Activation.Name()}) = {neuron.Z.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")))
            .ToList();
}
