using System.Numerics;

namespace Backprop.Nn;

/// <summary>Modules applied one after another.</summary>
public sealed class Sequential<T>(IEnumerable<Module<T>> layers) : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Sequential(params Module<T>[] layers) : this((IEnumerable<Module<T>>)layers) { }

    public IReadOnlyList<Module<T>> Layers { get; } = layers.ToArray();

    public override Tensor<T> Forward(Tensor<T> input)
    {
        foreach (var layer in Layers) input = layer.Forward(input);
        return input;
    }

    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() =>
        Layers.SelectMany((layer, index) => layer.NamedParameters().Select(pair => ($"{index}.{pair.Name}", pair.Parameter)));

    public override IEnumerable<(string Name, Tensor<T> Buffer)> NamedBuffers() =>
        Layers.SelectMany((layer, index) => layer.NamedBuffers().Select(pair => ($"{index}.{pair.Name}", pair.Buffer)));

    public override void SetTraining(bool training)
    {
        base.SetTraining(training);
        foreach (var layer in Layers) layer.SetTraining(training);
    }

    public override string ToString() =>
        "Sequential(\n" + string.Join("\n", Layers.Select((layer, index) => $"  ({index}): {layer}")) + "\n)";
}
