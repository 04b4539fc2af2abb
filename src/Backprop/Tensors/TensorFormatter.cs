using System.Globalization;
using System.Numerics;
using System.Text;

namespace Backprop;

/// <summary>Prints a tensor as nested brackets, PyTorch style, eliding the middle of long dimensions.</summary>
internal static class TensorFormatter
{
    private const int EdgeItems = 3;

    public static string Format<T>(Tensor<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var text = new StringBuilder("tensor(");
        var values = tensor.ToDoubleArray();
        if (tensor.Rank == 0) text.Append(Number(values[0]));
        else AppendDimension(text, values, tensor.Shape.ToArray(), 0, 0);
        text.Append(", shape=").Append(ShapeMath.Format(tensor.Shape)).Append(')');
        return text.ToString();
    }

    private static void AppendDimension(StringBuilder text, double[] values, int[] shape, int dim, int start)
    {
        int size = shape[dim];
        int stride = (int)ShapeMath.Product(shape.AsSpan(dim + 1));
        text.Append('[');
        for (int i = 0; i < size; i++)
        {
            if (size > 2 * EdgeItems && i == EdgeItems)
            {
                text.Append("..., ");
                i = size - EdgeItems;
            }
            if (dim == shape.Length - 1) text.Append(Number(values[start + i]));
            else AppendDimension(text, values, shape, dim + 1, start + i * stride);
            if (i < size - 1) text.Append(", ");
        }
        text.Append(']');
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
