using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// A value as the front end holds it: a scalar or array operand, or a composite that desugaring takes apart
/// (structs and tuples become one variable per field, nullable values a flag and a value).
/// </summary>
internal abstract class FValue
{
}

/// <summary>One IR operand: a real, integer, bool, data value or an array.</summary>
internal sealed class Scalar : FValue
{
    public Scalar(Operand operand) => Operand = operand;

    public Operand Operand { get; }
}

/// <summary>A struct value: one value per instance field (auto-properties by their backing field).</summary>
internal sealed class StructValue : FValue
{
    public StructValue(ITypeSymbol type, IReadOnlyList<IFieldSymbol> fields, FValue[] values)
    {
        Type = type;
        Fields = fields;
        Values = values;
    }

    public ITypeSymbol Type { get; }

    public IReadOnlyList<IFieldSymbol> Fields { get; }

    public FValue[] Values { get; }

    public int IndexOf(IFieldSymbol field)
    {
        for (int i = 0; i < Fields.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(Fields[i].OriginalDefinition, field.OriginalDefinition) || Fields[i].Name == field.Name)
            {
                return i;
            }
        }

        return -1;
    }

    public StructValue With(int index, FValue value)
    {
        var copy = (FValue[])Values.Clone();
        copy[index] = value;
        return new StructValue(Type, Fields, copy);
    }
}

/// <summary>A tuple value: its elements.</summary>
internal sealed class TupleValue : FValue
{
    public TupleValue(FValue[] items) => Items = items;

    public FValue[] Items { get; }
}

/// <summary>
/// An array of tuples or structs of numbers that the method creates (new (double V, double W)[] { ... }, new Rigid[n]),
/// held as one array per number of the element: <see cref="Components"/> has the element's shape (a
/// <see cref="TupleValue"/> or a <see cref="StructValue"/>), with an array at each leaf.
/// </summary>
internal sealed class TupleArrayValue : FValue
{
    public TupleArrayValue(FValue components) => Components = components;

    public FValue Components { get; }
}

/// <summary>A Nullable&lt;T&gt; value: whether it has a value, and the value (zero when it has none).</summary>
internal sealed class NullableValue : FValue
{
    public NullableValue(Operand hasValue, FValue value)
    {
        HasValue = hasValue;
        Value = value;
    }

    public Operand HasValue { get; }

    public FValue Value { get; }
}

/// <summary>
/// A lambda, a method group or a local function held by a delegate variable: inlined where it is invoked,
/// reading the variables it captures as they are at the call.
/// </summary>
internal sealed class FunctionValue : FValue
{
    public FunctionValue(IAnonymousFunctionOperation? lambda, IMethodSymbol? method, FValue? receiver)
    {
        Lambda = lambda;
        Method = method;
        Receiver = receiver;
    }

    public IAnonymousFunctionOperation? Lambda { get; }

    public IMethodSymbol? Method { get; }

    public FValue? Receiver { get; }

    /// <summary>
    /// The variables of the helper that made the lambda and returned it (Scaled(w, s) =&gt; w.Select(v =&gt; v * s)), with
    /// their values when it returned: nothing can change them after that, so a call reads them there.
    /// </summary>
    public IReadOnlyList<KeyValuePair<object, FValue>>? Captured { get; init; }
}

/// <summary>
/// Where a ref (a ref local, a ref or out argument) points: a variable, an element of an array, an element of a local
/// array of tuples or structs (its component arrays at an index), or a field of one of those.
/// </summary>
internal sealed class RefValue : FValue
{
    private RefValue(object? key, Operand? array, Operand[]? index, RefValue? parent, int field)
    {
        Key = key;
        Array = array;
        Index = index;
        Parent = parent;
        Field = field;
    }

    /// <summary>A local, a parameter or a synthetic key of the environment.</summary>
    public object? Key { get; }

    public Operand? Array { get; }

    public Operand[]? Index { get; }

    /// <summary>For a field of a struct: the struct's location.</summary>
    public RefValue? Parent { get; }

    public int Field { get; }

    public static RefValue ToVariable(object key) => new(key, null, null, null, -1);

    public static RefValue ToElement(Operand array, Operand[] index) => new(null, array, index, null, -1);

    public static RefValue ToField(RefValue parent, int field) => new(null, null, null, parent, field);

    /// <summary>An element of a local array of tuples or structs: the element's shape with an array at each leaf, and the index.</summary>
    public static RefValue ToComponents(FValue components, Operand index) => new(null, null, null, null, -1) { Components = components, ComponentIndex = index };

    public FValue? Components { get; private set; }

    public Operand? ComponentIndex { get; private set; }
}

/// <summary>A sequence (LINQ or foreach source) as a producer of elements: lowered to a loop by its consumer.</summary>
internal sealed class SequenceValue : FValue
{
    public SequenceValue(Func<Operand> length, Func<Operand, FValue> element)
    {
        Length = length;
        Element = element;
    }

    /// <summary>Emits the length of the source (before the loop).</summary>
    public Func<Operand> Length { get; }

    /// <summary>Emits the element at an index (inside the loop).</summary>
    public Func<Operand, FValue> Element { get; }

    /// <summary>Maps and filters applied to each element, in order.</summary>
    public List<SequenceStage> Stages { get; } = new();

    /// <summary>How many leading elements to skip and the most to take (operands, or null).</summary>
    public Operand? Skip { get; set; }

    public Operand? Take { get; set; }

    /// <summary>
    /// A filter (Where) or a flattening (SelectMany) among the stages: element i of the source is not element i of the
    /// sequence, so its length and positions are known only by visiting it.
    /// </summary>
    public bool HasFilter => Stages.Exists(s => s.IsFilter || s.IsFlatten);

    public bool HasFlatten => Stages.Exists(s => s.IsFlatten);

    public SequenceValue With(SequenceStage stage)
    {
        var copy = new SequenceValue(Length, Element) { Skip = Skip, Take = Take };
        copy.Stages.AddRange(Stages);
        copy.Stages.Add(stage);
        return copy;
    }
}

/// <summary>A Select (map) or Where (filter) of a sequence; WithIndex when the lambda also takes the element's index.</summary>
internal sealed class SequenceStage
{
    public SequenceStage(FunctionValue function, bool isFilter, bool withIndex, bool isFlatten = false, FunctionValue? resultSelector = null)
    {
        Function = function;
        IsFilter = isFilter;
        WithIndex = withIndex;
        IsFlatten = isFlatten;
        ResultSelector = resultSelector;
    }

    public FunctionValue Function { get; }

    public bool IsFilter { get; }

    public bool WithIndex { get; }

    /// <summary>SelectMany: the function gives a sequence for each element, whose elements go on in its place.</summary>
    public bool IsFlatten { get; }

    /// <summary>SelectMany's second lambda, (outer, inner) =&gt; result (query syntax's from ... from ... select); null without it.</summary>
    public FunctionValue? ResultSelector { get; }
}
