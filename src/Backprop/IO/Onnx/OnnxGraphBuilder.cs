using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Backprop.IO.Onnx;

/// <summary>
/// Appends nodes and float initializers to an ONNX graph, naming each intermediate value after the step
/// that makes it, so that the exported graph reads like the model it came from.
/// </summary>
internal sealed class OnnxGraphBuilder(GraphProto graph)
{
    private readonly HashSet<string> initializers = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = graph;

    /// <summary>A float32 constant stored in the file, little-endian raw bytes as ONNX specifies.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!initializers.Add(name))
            return name;
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        // NOTE: raw_data is little-endian by definition; every platform .NET runs Backprop on is too.
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>An int64 constant (a shape, for Reshape).</summary>
    public string Int64Constant(string name, long[] values)
    {
        if (!initializers.Add(name))
            return name;
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A float32 scalar constant (rank 0), broadcast by the elementwise operators.</summary>
    public string Scalar(string name, float value) => Constant(name, [value]);

    /// <summary>Adds <c>output = op(inputs)</c> and returns the output's name.</summary>
    public string Node(string op, string output, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A float32 tensor of the given shape; a null dimension is the batch, named "N".</summary>
    public static ValueInfoProto FloatTensor(string name, params long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (long? dim in shape)
            tensorShape.Dim.Add(dim is { } value ? new TensorShapeProto.Types.Dimension { DimValue = value }
                : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape },
            },
        };
    }
}
