using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// A <c>List&lt;double&gt;</c> (or <c>List&lt;float&gt;</c>) the method builds, as a first draft keeps its losses:
/// <c>var losses = new List&lt;double&gt;(); ... losses.Add(r * r); return losses.Average();</c>. It is held as an array
/// the method creates and a count: Add stores at the count, and when the array is full copies it into one twice as
/// long first, as List&lt;T&gt; does. Its elements are then an array's, which carry derivatives. Only a list that the
/// method uses in these ways is held so (Add, Clear, Count, the indexer, ToArray, foreach and LINQ); any other list is
/// data, run as written, as before.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Enumerable methods that read a list held as an array (the sources and consumers LINQ lowering knows).</summary>
    private static readonly HashSet<string> ListQueries = new(StringComparer.Ordinal)
    {
        "Select", "Where", "Skip", "Take", "Zip", "AsEnumerable", "Reverse", "Index", "Concat",
        "OrderBy", "OrderByDescending", "Order", "OrderDescending",
        "Sum", "Average", "Max", "Min", "Count", "LongCount", "Aggregate", "Any", "All", "Contains", "First", "Last",
        "ElementAt", "ToArray", "ToList",
    };

    /// <summary>For each list local: is every use of it one that the array form supports?</summary>
    private readonly Dictionary<ILocalSymbol, bool> _listLocals = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// For each helper parameter a list is passed to: is every use of it one the array form supports, does the helper
    /// change the list, and does it keep a lazy query over it (returned, stored, passed on)?
    /// </summary>
    private readonly Dictionary<IParameterSymbol, (bool Ok, bool Changes, bool KeepsQuery)> _listParameters = new(SymbolEqualityComparer.Default);

    /// <summary>What the scan of one list's uses has seen so far: a change, a lazy query kept past the expression.</summary>
    private bool _listChanged;
    private bool _listQueryKept;

    /// <summary>How deep the check follows a list into helpers that pass it on.</summary>
    private const int MaxListHelperDepth = 8;

    /// <summary>
    /// Set by the scan of a list's uses when the list is returned from an inlined helper: whether the array form is
    /// supported then depends on the call site (what the caller does with the result), so the answer is not kept.
    /// </summary>
    private bool _listReturned;

    /// <summary>When a returned list's caller uses it in a way the array form does not support: that use, and why.</summary>
    private (IOperation Use, string Why)? _listReturnRefusal;

    /// <summary>For a list local that stays data: the first use the array form does not support, and why.</summary>
    private readonly Dictionary<ILocalSymbol, (IOperation Use, string Why)> _listRefusals = new(SymbolEqualityComparer.Default);

    /// <summary>List&lt;T&gt; of a real type T: the IR type of T; otherwise null.</summary>
    private IrType? ListOfReals(ITypeSymbol? type)
    {
        if (type is null || Concrete(type) is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named || !IsList(named))
        {
            return null;
        }

        // Numbers, or rows of numbers (List<double[]>: a row per Add, as an array of arrays holds them).
        return IrTypeOf(Concrete(named.TypeArguments[0])) is { } element && (element.IsReal || element is { IsArray: true, Rank: 1, Form: ArrayForm.Array, Element.IsReal: true }) ? element : null;
    }

    private static bool IsList(ITypeSymbol? type) =>
        type is INamedTypeSymbol { IsGenericType: true } n && n.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>";

    /// <summary>A read-only view a list converts to (a helper's IEnumerable&lt;double&gt; or IReadOnlyList&lt;double&gt; parameter).</summary>
    private static bool IsReadOnlyListView(ITypeSymbol? type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n && n.OriginalDefinition.ToDisplayString()
            is "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IReadOnlyCollection<T>";

    /// <summary>A parameter a list may be passed to as itself: List&lt;T&gt;, or a read-only view of it, of the same T.</summary>
    private static bool TakesTheList(IParameterSymbol parameter, ITypeSymbol? list) =>
        list is INamedTypeSymbol { TypeArguments.Length: 1 } l && parameter.Type is INamedTypeSymbol { TypeArguments.Length: 1 } p
        && (IsList(p) || IsReadOnlyListView(p)) && SymbolEqualityComparer.Default.Equals(p.TypeArguments[0], l.TypeArguments[0]);

    /// <summary>
    /// new List&lt;double&gt;(), new(capacity), new(source), new() { a, b } or [a, .. b] initializing a local whose every use
    /// the array form supports: the list as an array and a count. Null for any other creation (it stays data).
    /// </summary>
    private FValue? TryLowerListCreation(IOperation creation)
    {
        var element = ListOfReals(creation.Type);
        if (element is null)
        {
            return null;
        }

        IOperation node = creation;
        while (node.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            node = conversion;
        }

        // var l = new List<double>(); ... or, in a helper, return q.ToList(); (=> new List<double>(w)): the returned list
        // as the caller uses it.
        var declarator = (node.Parent as IVariableInitializerOperation)?.Parent as IVariableDeclaratorOperation;
        var returned = declarator is null && node.Parent is IReturnOperation ret && ReferenceEquals(ret.ReturnedValue, node) ? ret : null;
        if ((declarator is null && returned is null) || declarator?.Symbol.RefKind is not (null or RefKind.None))
        {
            return null;
        }

        // What goes into the list first: a capacity, a source, initializer elements or spreads.
        IOperation? capacity = null;
        IOperation? source = null;
        var items = new List<(IOperation Value, bool Spread)>();
        switch (creation)
        {
            case IObjectCreationOperation oc:
                if (oc.Constructor is not { } ctor || oc.Arguments.Length != ctor.Parameters.Length || ctor.Parameters.Length > 1)
                {
                    return null;
                }

                if (ctor.Parameters.Length == 1)
                {
                    if (ctor.Parameters[0].Type.SpecialType == SpecialType.System_Int32)
                    {
                        capacity = oc.Arguments[0].Value;
                    }
                    else
                    {
                        source = oc.Arguments[0].Value;
                    }
                }

                if (oc.Initializer is { } initializer)
                {
                    foreach (var init in initializer.Initializers)
                    {
                        if (init is not IInvocationOperation { TargetMethod.Name: "Add", Arguments.Length: 1, Instance: IInstanceReferenceOperation } add)
                        {
                            return null;
                        }

                        items.Add((add.Arguments[0].Value, false));
                    }
                }

                break;
            case IInvocationOperation { TargetMethod.Name: "ToList", Arguments.Length: 1 } toList when ContainingName(toList.TargetMethod) == "System.Linq.Enumerable":
                source = toList.Arguments[0].Value;
                break;
            case ICollectionExpressionOperation ce:
                foreach (var e in ce.Elements)
                {
                    items.Add(e is ISpreadOperation spread ? (spread.Operand, true) : (e, false));
                }

                break;
            default:
                return null;
        }

        if (declarator is not null ? !ListUsesSupported(declarator.Symbol, creation) : !CreatedListReturnedSupported(creation, returned!))
        {
            return null;
        }

        var list = new ListValue(new SyntheticKey("list"), new SyntheticKey("count"), element);
        Operand store;
        Operand count = Lit.Int(0);
        if (source is not null)
        {
            var sequence = AsSequence(source);
            if (sequence is null)
            {
                return new Scalar(Poison.Of(IrType.Object));
            }

            store = SequenceToArray(sequence, element, creation);
            count = Emit(Opcode.Length, IrType.Int32, new[] { store });
        }
        else
        {
            Operand length = Lit.Int(4);
            if (capacity is not null)
            {
                length = Emit(Opcode.Opaque, IrType.Int32, new[] { LowerIndex(capacity) }, new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.ListChecks.Capacity(", ")" }, pure: false, effectFree: true));
            }

            store = Alloc(element, new[] { length }, creation);
        }

        Bind(list.Store, new Scalar(store));
        Bind(list.Count, new Scalar(count));
        foreach (var (value, spread) in items)
        {
            if (!spread)
            {
                AddToList(list, LowerExpr(value), value);
                continue;
            }

            var sequence = AsSequence(value);
            if (sequence is null)
            {
                return new Scalar(Poison.Of(IrType.Object));
            }

            ForEachElement(sequence, SourceText(value.Syntax), false, false, null, null, value, e =>
            {
                AddToList(list, e, value);
                return Flow.Normal;
            });
        }

        return list;
    }

    /// <summary>The local a list creation initializes (var l = ...;), or null.</summary>
    private static ILocalSymbol? ListDeclarator(IOperation creation)
    {
        IOperation node = creation;
        while (node.Parent is IConversionOperation { IsImplicit: true } conversion)
        {
            node = conversion;
        }

        return node.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } ? declarator.Symbol : null;
    }

    /// <summary>Is every use of the list local one the array form supports, never one that could see the list object?</summary>
    private bool ListUsesSupported(ILocalSymbol local, IOperation creation)
    {
        if (_listLocals.TryGetValue(local, out bool known))
        {
            return known;
        }

        var root = creation;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        bool ok = true;
        bool returnedBefore = _listReturned;
        _listReturned = false;
        _listReturnRefusal = null;
        _listChanged = false;
        _listQueryKept = false;
        foreach (var d in root.DescendantsAndSelf())
        {
            if (d is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local) && !SupportedListUse(r, local, 0))
            {
                ok = false;
                var use = r.Parent is IConversionOperation { IsImplicit: true } c ? c.Parent ?? c : r.Parent ?? r;
                if (use is IArgumentOperation { Parent: { } call })
                {
                    use = call;
                }

                bool changedWhileRead = use is IInvocationOperation { TargetMethod.Name: "Add" or "AddRange" or "Clear" } or IPropertyReferenceOperation or IImplicitIndexerReferenceOperation or IAssignmentOperation or IIncrementOrDecrementOperation
                    && ChangedWhileRead(use, local);
                _listRefusals[local] = use is IReturnOperation && _listReturnRefusal is { } callers
                    ? callers
                    : (use, changedWhileRead ? "changes it inside a foreach over it or inside a lambda or local function" : "uses it in another way");
                break;
            }
        }

        if (ok && _listChanged && _listQueryKept)
        {
            // A query over the list kept in a variable (or handed on) while the list changes: List<T> throws when the
            // query is enumerated after the change ("Collection was modified"); the array form would not.
            ok = false;
            _listRefusals[local] = (creation, "is changed while a lazy query over it is kept (in a variable, or passed on)");
        }

        if (!_listReturned)
        {
            _listLocals[local] = ok;
        }

        _listReturned |= returnedBefore;
        return ok;
    }

    /// <summary>
    /// <c>return list;</c> in an inlined helper that builds the list (static List&lt;double&gt; Hidden(...) { var h = new
    /// List&lt;double&gt;(); ...; return h; }), called as <c>var h = Hidden(...);</c>: the list stays in the array form
    /// when that is the helper's only return, its last statement, and the caller's variable of the same type is used
    /// only in the ways the array form supports. Any other call site keeps the list data (as before).
    /// </summary>
    private bool ListReturnedSupported(ILocalSymbol local, IReturnOperation ret) =>
        ListReturnedSupported(local, local.Type, local.ContainingSymbol as IMethodSymbol, ret);

    /// <summary>
    /// <c>return w.Select(f).ToList();</c> (or <c>=> new List&lt;double&gt;(w)</c>) in an inlined helper: the list it
    /// makes, as the caller uses it (see <see cref="ListReturnedSupported(ILocalSymbol, IReturnOperation)"/>).
    /// </summary>
    private bool CreatedListReturnedSupported(IOperation creation, IReturnOperation ret)
    {
        bool returnedBefore = _listReturned;
        var refusalBefore = _listReturnRefusal;
        bool ok = creation.Type is { } type && Function.Method is { } method && ListReturnedSupported(method, type, method, ret);
        _listReturned = returnedBefore;
        _listReturnRefusal = refusalBefore;
        return ok;
    }

    private bool ListReturnedSupported(ISymbol owner, ITypeSymbol listType, IMethodSymbol? method, IReturnOperation ret)
    {
        _listReturned = true;
        if (method is null || method.MethodKind is MethodKind.AnonymousFunction
            || !SymbolEqualityComparer.Default.Equals(method.ReturnType, listType))
        {
            return false;
        }

        int at = _frames.FindLastIndex(f => f.Kind == FrameKind.Function && SymbolEqualityComparer.Default.Equals(f.Method, method.OriginalDefinition));
        if (at <= 0 || _frames[at].CallSite is not IInvocationOperation call || !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
        {
            return false;
        }

        // The helper's one return, as its last statement: the list it gives back is the one it built on every path.
        if (ret.Parent is not IBlockOperation block || block.Operations.Length == 0 || !ReferenceEquals(block.Operations[block.Operations.Length - 1], ret)
            || block.Parent is not (IMethodBodyOperation or ILocalFunctionOperation))
        {
            return false;
        }

        if (DescendantsInBody(block).Count(d => d is IReturnOperation) != 1)
        {
            return false;
        }

        if (call.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol: { RefKind: RefKind.None } callers } }
            || !SymbolEqualityComparer.Default.Equals(callers.Type, listType))
        {
            // Used at once by a query or a foreach (Helper(...).Sum(), foreach (var v in Helper(...))); not read
            // through its indexer or Count (only a variable's list is followed there), not returned on (the frames
            // would be another helper's).
            var use = call.Parent is IConversionOperation { IsImplicit: true } conversion ? conversion.Parent : call.Parent;
            if (use is IArgumentOperation or IForEachLoopOperation && SupportedListUse(call, owner, 1))
            {
                return true;
            }

            _listReturnRefusal = (call.Parent ?? call, "is returned to a caller that uses it in a way the array form does not follow (keep it in a variable: var l = Helper(...);)");
            return false;
        }

        bool changed = _listChanged, kept = _listQueryKept;
        bool ok = ListUsesSupported(callers, call);
        _listChanged |= changed;
        _listQueryKept |= kept;
        _listReturned = true;
        if (!ok && _listRefusals.TryGetValue(callers, out var refusal))
        {
            _listReturnRefusal = (refusal.Use, refusal.Why + " (the list '" + callers.Name + "' that " + method.Name + " returns)");
        }

        return ok;
    }

    /// <summary>
    /// A helper's list parameter (static double Mean(List&lt;double&gt; v) => v.Sum() / v.Count): is every use of it in the
    /// helper's body one the array form supports? The helper is inlined, its parameter bound to the caller's list.
    /// </summary>
    private bool ParameterUsesSupported(IMethodSymbol method, IParameterSymbol parameter, int depth)
    {
        var key = parameter.OriginalDefinition;
        if (_listParameters.TryGetValue(key, out var known))
        {
            _listChanged |= known.Changes;
            _listQueryKept |= known.KeepsQuery;
            return known.Ok;
        }

        // A helper that passes the list on to itself (a recursion) keeps it data: the recursion runs as written.
        _listParameters[key] = (false, false, false);
        bool changedBefore = _listChanged, keptBefore = _listQueryKept;
        _listChanged = false;
        _listQueryKept = false;
        bool ok = depth <= MaxListHelperDepth;
        var def = method.OriginalDefinition;
        def = def.PartialImplementationPart ?? def;
        if (ok && def.DeclaringSyntaxReferences.Length != 1)
        {
            ok = false;
        }

        if (ok)
        {
            var syntax = def.DeclaringSyntaxReferences[0].GetSyntax(_ct);
            var body = ModelFor(syntax.SyntaxTree)?.GetOperation(syntax, _ct);
            ok = body is not null;
            foreach (var d in body?.DescendantsAndSelf() ?? Enumerable.Empty<IOperation>())
            {
                if (d is IParameterReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Parameter.OriginalDefinition, key) && !SupportedListUse(r, key, depth))
                {
                    ok = false;
                    break;
                }
            }
        }

        bool changes = _listChanged, keeps = _listQueryKept;
        _listParameters[key] = (ok, changes, keeps);
        _listChanged = changedBefore | changes;
        _listQueryKept = keptBefore | keeps;
        return ok;
    }

    /// <summary>A method the lowering inlines where it is called: a local function, or one with source here and no virtual dispatch.</summary>
    private bool InlinedHelper(IMethodSymbol method) =>
        method.MethodKind == MethodKind.LocalFunction
        || (method.MethodKind == MethodKind.Ordinary && HasSourceStatic(method, _compilation) && Attribute(method.OriginalDefinition, CustomDerivativeAttribute) is null
            && (method.IsStatic || !(method.IsVirtual || method.IsAbstract || method.IsOverride)));

    private bool SupportedListUse(IOperation r, ISymbol local, int depth)
    {
        switch (r.Parent)
        {
            case IInvocationOperation inv when ReferenceEquals(inv.Instance, r) && IsList(inv.TargetMethod.ContainingType):
                return inv.TargetMethod.Name switch
                {
                    "Add" => inv.Arguments.Length == 1 && Changes() && !ChangedWhileRead(inv, local),
                    "AddRange" => inv.Arguments.Length == 1 && Changes() && !ChangedWhileRead(inv, local)
                        && !inv.Arguments[0].Value.DescendantsAndSelf().Any(d => RefersTo(d, local)),
                    "Clear" => inv.Arguments.Length == 0 && Changes() && !ChangedWhileRead(inv, local),
                    "ToArray" => inv.Arguments.Length == 0,
                    _ => false,
                };
            case IPropertyReferenceOperation pr when ReferenceEquals(pr.Instance, r):
                if (pr.Property.Name == "Count" && !pr.Property.IsIndexer)
                {
                    return true;
                }

                if (!pr.Property.IsIndexer || pr.Arguments.Length != 1 || pr.Arguments[0].Value.Type?.SpecialType != SpecialType.System_Int32)
                {
                    return false;
                }

                return pr.Parent switch
                {
                    IAssignmentOperation a when ReferenceEquals(a.Target, pr) => Changes() && !ChangedWhileRead(pr, local),
                    IIncrementOrDecrementOperation => Changes() && !ChangedWhileRead(pr, local),
                    ITupleOperation => !InDeconstructionTarget(pr) || (Changes() && !ChangedWhileRead(pr, local)),
                    IDeclarationExpressionOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None } => false,
                    _ => true,
                };
            case IImplicitIndexerReferenceOperation ii when ReferenceEquals(ii.Instance, r):
                if (ii.Argument is not IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat })
                {
                    return false;
                }

                return ii.Parent switch
                {
                    IAssignmentOperation a when ReferenceEquals(a.Target, ii) => Changes() && !ChangedWhileRead(ii, local),
                    IIncrementOrDecrementOperation => Changes() && !ChangedWhileRead(ii, local),
                    ITupleOperation => !InDeconstructionTarget(ii) || (Changes() && !ChangedWhileRead(ii, local)),
                    IDeclarationExpressionOperation or IArgumentOperation { Parameter.RefKind: not RefKind.None } => false,
                    _ => true,
                };
            case IForEachLoopOperation fe when ReferenceEquals(fe.Collection, r):
                return true;
            case IReturnOperation ret when depth == 0 && ReferenceEquals(ret.ReturnedValue, r) && local is ILocalSymbol returned:
                return ListReturnedSupported(returned, ret);
            case IConversionOperation { IsImplicit: true } c:
                return c.Parent switch
                {
                    IForEachLoopOperation fe => ReferenceEquals(fe.Collection, c),
                    IArgumentOperation a when IsListQuery(a) => Queried(a),
                    IArgumentOperation { Parameter: { RefKind: RefKind.None } parameter } a when a.Parent is IInvocationOperation call =>
                        TakesTheList(parameter, r.Type) && InlinedHelper(call.TargetMethod) && !ChangedWhileRead(call, local) && PassedOnce(call, local)
                        && ParameterUsesSupported(call.TargetMethod, parameter, depth + 1),
                    _ => false,
                };
            case IArgumentOperation { Parameter: { RefKind: RefKind.None } parameter } a when a.Parent is IInvocationOperation call && !IsListQuery(a):
                // Passed to a helper that is inlined, whose parameter is the list or a read-only view of it: held as an
                // array there too.
                return TakesTheList(parameter, r.Type) && InlinedHelper(call.TargetMethod)
                    && !ChangedWhileRead(call, local) && PassedOnce(call, local) && ParameterUsesSupported(call.TargetMethod, parameter, depth + 1);
            case IArgumentOperation a:
                return IsListQuery(a) && Queried(a);
            case ISpreadOperation { Parent: ICollectionExpressionOperation collection } spread when ReferenceEquals(spread.Operand, r):
                // [.. l] or [a, .. l, b]: the elements copied once, where the collection is made. Another element may
                // read the list ([.. l, l.Sum()], [.. l, l.Count], [.. l, .. l]), not change it or hand it to a helper
                // (which could add to it while it is read).
                return collection.Elements.Where(e => !ReferenceEquals(e, spread)).SelectMany(e => e.DescendantsAndSelf()).Where(d => RefersTo(d, local)).All(ReadsOnly);
            default:
                return false;
        }
    }

    /// <summary>A use of the list that only reads it: Count, an element read, a LINQ query consumed at once, a spread.</summary>
    private static bool ReadsOnly(IOperation r)
    {
        var parent = r.Parent is IConversionOperation { IsImplicit: true } c ? c.Parent : r.Parent;
        return parent switch
        {
            IPropertyReferenceOperation pr => pr.Parent is not (IIncrementOrDecrementOperation or ICompoundAssignmentOperation) && !(pr.Parent is IAssignmentOperation a && ReferenceEquals(a.Target, pr)),
            IImplicitIndexerReferenceOperation ii => ii.Parent is not (IIncrementOrDecrementOperation or ICompoundAssignmentOperation) && !(ii.Parent is IAssignmentOperation a && ReferenceEquals(a.Target, ii)),
            IArgumentOperation arg => IsListQuery(arg) && arg.Parent is IInvocationOperation { TargetMethod.Name: "Sum" or "Average" or "Max" or "Min" or "Count" or "First" or "Last" or "Any" or "All" or "Contains" or "ElementAt" },
            ISpreadOperation => true,
            _ => false,
        };
    }

    private bool Changes()
    {
        _listChanged = true;
        return true;
    }

    /// <summary>
    /// A query over the list: notes whether its result is kept lazily (a chain of Select, Where, Skip... whose end is
    /// stored, returned or handed on, rather than consumed at once by Sum, ToArray, a foreach). Always true.
    /// </summary>
    private bool Queried(IArgumentOperation argument)
    {
        IOperation end = argument.Parent!;
        while (end is IInvocationOperation q && SequenceOperators.Contains(q.TargetMethod.Name) && q.TargetMethod.Name != "Range" && q.TargetMethod.Name != "Repeat")
        {
            var up = end.Parent;
            while (up is IConversionOperation { IsImplicit: true })
            {
                up = up.Parent;
            }

            if (up is IArgumentOperation { Parent: IInvocationOperation next } && ContainingName(next.TargetMethod) == "System.Linq.Enumerable")
            {
                end = next;
                continue;
            }

            // A lazy query whose end is read at once by a foreach is enumerated there (a change inside is caught by
            // ChangedWhileRead); anywhere else it is kept.
            if (up is not IForEachLoopOperation)
            {
                _listQueryKept = true;
            }

            break;
        }

        return true;
    }

    /// <summary>The list is passed to this call once (a helper given it twice could read one while changing the other).</summary>
    private static bool PassedOnce(IInvocationOperation call, ISymbol local) =>
        call.Arguments.Count(a => a.Value.DescendantsAndSelf().Any(d => RefersTo(d, local))) <= 1;

    /// <summary>Is this element an item (at any depth) of the tuple a deconstruction assigns, (l[0], l[1]) = (a, b)?</summary>
    private static bool InDeconstructionTarget(IOperation element)
    {
        for (var item = element; item.Parent is ITupleOperation tuple; item = tuple)
        {
            if (tuple.Parent is IDeconstructionAssignmentOperation d && ReferenceEquals(d.Target, tuple))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The list is a source of an Enumerable method that LINQ lowering reads: the first argument, or a later sequence
    /// argument of Zip or Concat (<c>targets.Zip(predictions, f)</c>, <c>w.Concat(l)</c>).
    /// </summary>
    private static bool IsListQuery(IArgumentOperation a) =>
        a.Parameter is { } parameter && a.Parent is IInvocationOperation query && ContainingName(query.TargetMethod) == "System.Linq.Enumerable" && ListQueries.Contains(query.TargetMethod.Name)
        && (parameter.Ordinal == 0 || (query.TargetMethod.Name is "Zip" or "Concat" && IsEnumerableOfT(parameter.Type)));

    private static bool IsEnumerableOfT(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } n && n.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IEnumerable<T>";

    /// <summary>
    /// Is this change to the list inside a foreach over it, or inside a lambda (which may run while a query reads the
    /// list)? List&lt;T&gt; throws when it changes under an enumeration; the array form would not notice.
    /// </summary>
    private static bool ChangedWhileRead(IOperation change, ISymbol local)
    {
        // Up to the block that declares the list: a lambda or local function that declares it owns it.
        var declared = local.DeclaringSyntaxReferences.FirstOrDefault();
        for (var p = change.Parent; p is not null; p = p.Parent)
        {
            if (declared is not null && p.Syntax.SyntaxTree == declared.SyntaxTree && p.Syntax.Span.Contains(declared.Span) && p is not IForEachLoopOperation)
            {
                return false;
            }

            switch (p)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return true;
                case IForEachLoopOperation fe:
                    var collection = fe.Collection is IConversionOperation { IsImplicit: true } c ? c.Operand : fe.Collection;
                    if (collection.DescendantsAndSelf().Any(l => RefersTo(l, local)))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// The advice for a value refused where it goes into a List&lt;double&gt; local that stays data (its Add, its creation):
    /// which use kept it from being held as an array. Null when the operation is not on such a list.
    /// </summary>
    private string? ListRefusalAdvice(IOperation at)
    {
        ILocalSymbol? local = null;
        if (at is IInvocationOperation { Instance: { } instance } && (instance is IConversionOperation { IsImplicit: true } c ? c.Operand : instance) is ILocalReferenceOperation r)
        {
            local = r.Local;
        }
        else if (at is IObjectCreationOperation or ICollectionExpressionOperation or IInvocationOperation { TargetMethod.Name: "ToList", Instance: null })
        {
            IOperation node = at;
            while (node.Parent is IConversionOperation { IsImplicit: true } conversion)
            {
                node = conversion;
            }

            local = (node.Parent as IVariableInitializerOperation)?.Parent is IVariableDeclaratorOperation d ? d.Symbol : null;
        }

        if (local is null || ListOfReals(local.Type) is null || !_listRefusals.TryGetValue(local, out var refusal))
        {
            return null;
        }

        return "a " + local.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " the method creates carries derivatives when the method only adds to it, clears it, "
            + "reads Count, reads or writes list[i], enumerates it, or reads it with LINQ or ToArray(); '" + SourceText(refusal.Use.Syntax) + "' " + refusal.Why
            + (refusal.Use is IInvocationOperation { TargetMethod.Name: "Sort" }
                ? ": sort it with LINQ instead, var sorted = " + local.Name + ".OrderBy(v => v).ToArray(); (each value's derivative follows it to its place)"
                : ": pass " + local.Name + ".ToArray() on instead, or keep the values in an array (double[])");
    }

    private static bool RefersTo(IOperation op, ISymbol symbol) => op switch
    {
        ILocalReferenceOperation l => SymbolEqualityComparer.Default.Equals(l.Local, symbol),
        IParameterReferenceOperation p => SymbolEqualityComparer.Default.Equals(p.Parameter.OriginalDefinition, symbol.OriginalDefinition),
        _ => false,
    };

    /// <summary>The list a local (or a helper's parameter) held in the array form holds, for a receiver that is it; otherwise null.</summary>
    private ListValue? HeldList(IOperation? instance)
    {
        while (instance is IConversionOperation { IsImplicit: true } c)
        {
            instance = c.Operand;
        }

        return instance switch
        {
            ILocalReferenceOperation r when _env.Get(r.Local) is ListValue list => list,
            IParameterReferenceOperation p when _env.Get(p.Parameter) is ListValue list => list,
            _ => null,
        };
    }

    // A list read where its variables are not in scope (a query over it kept past the block that declared it) is
    // poison; the read that uses it reports it.
    private Operand ListStore(ListValue list) => _env.Get(list.Store) is Scalar s ? s.Operand : Poison.Of(IrType.ArrayOf(list.Element, ArrayForm.Array, 1));

    private Operand ListCount(ListValue list) => _env.Get(list.Count) is Scalar s ? s.Operand : Poison.Of(IrType.Int32);

    /// <summary>list.Add(v): when the array is full, a copy twice as long first; then v at the count, and the count up one.</summary>
    private void AddToList(ListValue list, FValue value, IOperation at)
    {
        var count = ListCount(list);
        var store = ListStore(list);
        var length = Emit(Opcode.Length, IrType.Int32, new[] { store });
        var full = Emit(Opcode.Cmp, IrType.Bool, new[] { count, length }, CmpKind.Ge);
        EmitIf(full, () =>
        {
            var grown = Emit(Opcode.Opaque, IrType.Int32, new[] { length }, new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.ListChecks.Grown(", ")" }, pure: true, effectFree: true));
            var bigger = Alloc(list.Element, new[] { grown }, at);
            CopyLoop(store, bigger, count, Lit.False, at);
            Bind(list.Store, new Scalar(bigger));
            return Flow.Normal;
        }, () => Flow.Normal);
        StoreElement(ListStore(list), new[] { count }, value, at);
        Bind(list.Count, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { count, Lit.Int(1) })));
    }

    /// <summary>The index, checked against the count as the list's indexer checks it (list[^k] is list[Count − k]).</summary>
    private Operand ListIndex(ListValue list, IOperation index)
    {
        Operand i;
        if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
        {
            // C# evaluates k, then reads Count (k may be a call that adds to the list).
            var fromEnd = LowerIndex(hat.Operand);
            i = Emit(Opcode.ISub, IrType.Int32, new[] { ListCount(list), fromEnd });
        }
        else
        {
            i = LowerIndex(index);
        }

        // Kept even when the element is never read: the indexer throws for an index past the count, read or not.
        return Emit(Opcode.Opaque, IrType.Int32, new[] { i, ListCount(list) }, new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.ListChecks.Index(", ", ", ")" }, pure: false, effectFree: false));
    }

    /// <summary>list.Add(v), list.Clear(), list.ToArray() on a list held as an array; null for any other call.</summary>
    private FValue? LowerListCall(IInvocationOperation inv)
    {
        if (HeldList(inv.Instance) is not { } list)
        {
            return null;
        }

        switch (inv.TargetMethod.Name)
        {
            case "Add" when inv.Arguments.Length == 1:
                AddToList(list, LowerExpr(inv.Arguments[0].Value), inv);
                return new Scalar(Lit.Int(0));
            case "AddRange" when inv.Arguments.Length == 1:
                {
                    var source = AsSequence(inv.Arguments[0].Value);
                    if (source is null)
                    {
                        return new Scalar(Lit.Int(0));
                    }

                    // The source's length is read once, before the first Add, as List<T>.AddRange copies it first.
                    ForEachElement(source, SourceText(inv.Syntax), false, false, null, null, inv, e =>
                    {
                        AddToList(list, e, inv);
                        return Flow.Normal;
                    });
                    return new Scalar(Lit.Int(0));
                }

            case "Clear" when inv.Arguments.Length == 0:
                // The elements stay in the array, past the count, where nothing reads them; so does List<T>'s capacity.
                Bind(list.Count, new Scalar(Lit.Int(0)));
                return new Scalar(Lit.Int(0));
            case "ToArray" when inv.Arguments.Length == 0:
                return new Scalar(SequenceToArray(ListSequence(list, inv), list.Element, inv));
            default:
                return null;
        }
    }

    /// <summary>list.Count and list[i] on a list held as an array; null for anything else.</summary>
    private FValue? LowerListProperty(IPropertyReferenceOperation pr)
    {
        if (HeldList(pr.Instance) is not { } list)
        {
            return null;
        }

        if (pr.Property.IsIndexer && pr.Arguments.Length == 1)
        {
            var index = ListIndex(list, pr.Arguments[0].Value);
            return new Scalar(Load(ListStore(list), new[] { index }, pr));
        }

        return pr.Property.Name == "Count" ? new Scalar(ListCount(list)) : null;
    }

    /// <summary>list[i] as a place to assign (list[i] = v, list[i] += v, list[i]++); null for anything else.</summary>
    private RefValue? ListElementPlace(IPropertyReferenceOperation pr)
    {
        if (!pr.Property.IsIndexer || pr.Arguments.Length != 1 || HeldList(pr.Instance) is not { } list)
        {
            return null;
        }

        var index = ListIndex(list, pr.Arguments[0].Value);
        return RefValue.ToElement(ListStore(list), new[] { index });
    }

    /// <summary>list[^k], read or as a place to assign; null for anything else.</summary>
    private Operand[]? ListElementFromEnd(IImplicitIndexerReferenceOperation ii, out ListValue? list)
    {
        list = ii.Argument is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } ? HeldList(ii.Instance) : null;
        return list is null ? null : new[] { ListIndex(list, ii.Argument) };
    }

    /// <summary>The list's elements as a sequence: its count and array read when the consumer runs, as LINQ reads a list.</summary>
    private SequenceValue ListSequence(ListValue list, IOperation at) =>
        new(() =>
        {
            if (_env.Get(list.Count) is not Scalar)
            {
                Unsupported(at, "reading a list outside the block that declared it", "consume the query (Sum, ToArray) where the list is in scope");
            }

            return ListCount(list);
        }, i =>
        {
            var store = ListStore(list);
            if (store is Poison)
            {
                return Unsupported(at, "reading a list outside the block that declared it", "consume the query (Sum, ToArray) where the list is in scope");
            }

            return new Scalar(Emit(Opcode.Load, list.Element, new[] { store, i }));
        });
}

/// <summary>
/// A List&lt;double&gt; or List&lt;float&gt; the method builds, held as an array the method creates and a count (two
/// variables of the environment, so that the loops and ifs that change them carry them as any variable).
/// </summary>
internal sealed class ListValue : FValue
{
    public ListValue(Lowerer.SyntheticKey store, Lowerer.SyntheticKey count, IrType element)
    {
        Store = store;
        Count = count;
        Element = element;
    }

    public Lowerer.SyntheticKey Store { get; }

    public Lowerer.SyntheticKey Count { get; }

    public IrType Element { get; }
}
