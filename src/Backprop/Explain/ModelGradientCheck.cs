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
}
