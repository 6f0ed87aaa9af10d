using System.Globalization;
using System.Reflection;
using System.Text;

namespace Connectors.Api.Tests;

/// <summary>
/// Writes the public surface of an assembly as sorted text, one type header per visible type and one indented line per
/// public or protected member, with nullable annotations. The text depends only on the API, so it is stable across
/// runs, machines and Debug/Release builds.
/// </summary>
internal static class PublicApiDumper
{
    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(object)] = "object",
        [typeof(string)] = "string",
        [typeof(bool)] = "bool",
        [typeof(char)] = "char",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
    };

    public static string Dump(Assembly assembly)
    {
        var nullability = new NullabilityInfoContext();
        var types = assembly.GetTypes()
            .Where(IsVisible)
            .Select(t => (Name: TypeDisplayName(t), Type: t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        var text = new StringBuilder();
        foreach (var (_, type) in types)
        {
            text.Append(TypeHeader(type)).Append('\n');
            // Members sort by kind, then name, then the whole line, so overloads stay together.
            foreach (var (_, line) in Members(type, nullability).OrderBy(m => m.Key, StringComparer.Ordinal).ThenBy(m => m.Line, StringComparer.Ordinal))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static bool IsVisible(Type type)
    {
        if (type.Name.Contains('<', StringComparison.Ordinal))
        {
            return false;
        }

        if (!type.IsNested)
        {
            return type.IsPublic;
        }

        var outer = type.DeclaringType!;
        return IsVisible(outer) && (type.IsNestedPublic || ((type.IsNestedFamily || type.IsNestedFamORAssem) && !outer.IsSealed));
    }

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool IsVisible(FieldInfo field) => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string Access(FieldInfo field) =>
        field.IsPublic ? "public" : field.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string TypeHeader(Type type)
    {
        var header = new StringBuilder(type.IsNestedPublic || type.IsPublic ? "public " : type.IsNestedFamORAssem ? "protected internal " : "protected ");
        if (type.IsEnum)
        {
            var flags = type.IsDefined(typeof(FlagsAttribute), false) ? "[Flags] " : string.Empty;
            return $"{flags}{header}enum {TypeDisplayName(type)} : {Format(Enum.GetUnderlyingType(type), null)}";
        }

        if (typeof(Delegate).IsAssignableFrom(type.BaseType) && type.BaseType == typeof(MulticastDelegate))
        {
            return $"{header}delegate {TypeDisplayName(type)}{Constraints(type.GetGenericArguments())}";
        }

        // Records: a class has the compiler's <Clone>$ method, a record struct its PrintMembers(StringBuilder).
        var isRecord = type.IsValueType
            ? type.GetMethod("PrintMembers", Declared, [typeof(StringBuilder)]) is not null
            : type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly) is not null;
        if (type.IsInterface)
        {
            header.Append("interface ");
        }
        else if (type.IsValueType)
        {
            if (HasAttribute(type, "System.Runtime.CompilerServices.IsReadOnlyAttribute"))
            {
                header.Append("readonly ");
            }

            if (type.IsByRefLike)
            {
                header.Append("ref ");
            }

            header.Append(isRecord ? "record struct " : "struct ");
        }
        else
        {
            if (type.IsAbstract && type.IsSealed)
            {
                header.Append("static ");
            }
            else if (type.IsAbstract)
            {
                header.Append("abstract ");
            }
            else if (type.IsSealed)
            {
                header.Append("sealed ");
            }

            header.Append(isRecord ? "record " : "class ");
        }

        header.Append(TypeDisplayName(type));
        var bases = new List<string>();
        if (!type.IsInterface && !type.IsValueType && type.BaseType is { } baseType && baseType != typeof(object))
        {
            bases.Add(Format(baseType, null));
        }

        bases.AddRange(type.GetInterfaces().Where(IsVisible).Select(i => Format(i, null)).Order(StringComparer.Ordinal));
        if (bases.Count > 0)
        {
            header.Append(" : ").AppendJoin(", ", bases);
        }

        header.Append(Constraints(type.IsNested ? OwnGenericArguments(type) : type.GetGenericArguments()));
        return header.ToString();
    }

    private static IEnumerable<(string Key, string Line)> Members(Type type, NullabilityInfoContext nullability)
    {
        if (type.IsEnum)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var raw = field.GetRawConstantValue()!;
                var value = Convert.ToString(raw, CultureInfo.InvariantCulture);
                var order = raw is ulong u ? u.ToString("D20", CultureInfo.InvariantCulture) : (Convert.ToInt64(raw, CultureInfo.InvariantCulture) + (1L << 62)).ToString("D20", CultureInfo.InvariantCulture);
                yield return (order, $"{field.Name} = {value}");
            }

            yield break;
        }

        if (type.BaseType == typeof(MulticastDelegate))
        {
            var invoke = type.GetMethod("Invoke")!;
            yield return ("0", $"Invoke: {Format(invoke.ReturnType, nullability.Create(invoke.ReturnParameter))} ({Parameters(invoke, nullability)})");
            yield break;
        }

        foreach (var constructor in type.GetConstructors(Declared).Where(IsVisible))
        {
            if (type.IsAbstract && type.IsSealed)
            {
                continue;
            }

            var modifiers = constructor.IsStatic ? "static " : string.Empty;
            yield return ("1 ctor", $"ctor {Access(constructor)} {modifiers}{TypeDisplayName(type, withNamespace: false, withArguments: false)}({Parameters(constructor, nullability)})");
        }

        foreach (var field in type.GetFields(Declared).Where(IsVisible))
        {
            if (field.Name.Contains('<', StringComparison.Ordinal))
            {
                continue;
            }

            var modifiers = field.IsLiteral ? "const " : (field.IsStatic ? "static " : string.Empty) + (field.IsInitOnly ? "readonly " : string.Empty);
            var required = HasAttribute(field, "System.Runtime.CompilerServices.RequiredMemberAttribute") ? "required " : string.Empty;
            var line = $"field {Access(field)} {required}{modifiers}{Format(field.FieldType, nullability.Create(field))} {field.Name}";
            if (field.IsLiteral)
            {
                line += " = " + Literal(field.GetRawConstantValue());
            }

            yield return ("2 field " + field.Name, line);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            var getter = property.GetMethod is { } g && IsVisible(g) ? g : null;
            var setter = property.SetMethod is { } s && IsVisible(s) ? s : null;
            var main = getter ?? setter;
            if (main is null)
            {
                continue;
            }

            var info = nullability.Create(property);
            var accessors = new StringBuilder("{ ");
            if (getter is not null)
            {
                accessors.Append(Access(getter) == Access(main) ? string.Empty : Access(getter) + " ").Append("get; ");
            }

            if (setter is not null)
            {
                var isInit = setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
                accessors.Append(Access(setter) == Access(main) ? string.Empty : Access(setter) + " ").Append(isInit ? "init; " : "set; ");
            }

            accessors.Append('}');
            var required = HasAttribute(property, "System.Runtime.CompilerServices.RequiredMemberAttribute") ? "required " : string.Empty;
            var indexParameters = property.GetIndexParameters();
            var name = indexParameters.Length == 0
                ? property.Name
                : $"this[{string.Join(", ", indexParameters.Select(p => Parameter(p, nullability)))}]";
            var readState = info.ReadState == NullabilityState.Unknown ? info.WriteState : info.ReadState;
            yield return ("3 property " + property.Name, $"property {Access(main)} {required}{MethodModifiers(main, type)}{Format(property.PropertyType, info, readState)} {name} {accessors}");
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            var add = @event.AddMethod;
            if (add is null || !IsVisible(add))
            {
                continue;
            }

            yield return ("4 event " + @event.Name, $"event {Access(add)} {MethodModifiers(add, type)}{Format(@event.EventHandlerType!, nullability.Create(@event))} {@event.Name}");
        }

        foreach (var method in type.GetMethods(Declared).Where(IsVisible))
        {
            if (method.Name.Contains('<', StringComparison.Ordinal) || (method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal)))
            {
                continue;
            }

            var generic = method.IsGenericMethodDefinition
                ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">"
                : string.Empty;
            var returns = Format(method.ReturnType, nullability.Create(method.ReturnParameter));
            yield return ("5 method " + method.Name, $"method {Access(method)} {MethodModifiers(method, type)}{returns} {method.Name}{generic}({Parameters(method, nullability)}){Constraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : [])}");
        }

        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Where(IsVisible))
        {
            yield return ("6 nested " + nested.Name, $"nested {TypeDisplayName(nested, withNamespace: false)} (see its own entry)");
        }
    }

    private static string MethodModifiers(MethodInfo method, Type declaringType)
    {
        if (declaringType.IsInterface)
        {
            if (method.IsStatic)
            {
                return method.IsAbstract ? "static abstract " : method.IsVirtual ? "static virtual " : "static ";
            }

            return method.IsAbstract ? string.Empty : "default ";
        }

        if (method.IsStatic)
        {
            return "static ";
        }

        var isOverride = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        if (method.IsAbstract)
        {
            return isOverride ? "abstract override " : "abstract ";
        }

        if (!method.IsVirtual)
        {
            return string.Empty;
        }

        if (isOverride)
        {
            return method.IsFinal ? "sealed override " : "override ";
        }

        return method.IsFinal ? string.Empty : "virtual ";
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability) =>
        string.Join(", ", method.GetParameters().Select((p, i) =>
            (i == 0 && method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false) ? "this " : string.Empty) + Parameter(p, nullability)));

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        var text = new StringBuilder();
        if (parameter.IsDefined(typeof(ParamArrayAttribute), false) || HasAttribute(parameter, "System.Runtime.CompilerServices.ParamCollectionAttribute"))
        {
            text.Append("params ");
        }

        if (parameter.ParameterType.IsByRef)
        {
            text.Append(
                parameter.IsOut && !parameter.IsIn ? "out "
                : HasAttribute(parameter, "System.Runtime.CompilerServices.RequiresLocationAttribute") ? "ref readonly "
                : parameter.IsIn ? "in "
                : "ref ");
        }

        var info = nullability.Create(parameter);
        var state = parameter.IsOut ? info.ReadState : info.WriteState;
        if (state == NullabilityState.Unknown)
        {
            state = info.ReadState;
        }

        text.Append(Format(parameter.ParameterType, info, state)).Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            var value = parameter.RawDefaultValue;
            text.Append(" = ").Append(value is null && parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null ? "default" : Literal(value));
        }

        return text.ToString();
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        char c => "'" + c + "'",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Constraints(Type[] arguments)
    {
        var text = new StringBuilder();
        foreach (var argument in arguments.Where(a => a.IsGenericParameter))
        {
            var parts = new List<string>();
            var attributes = argument.GenericParameterAttributes;
            if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                parts.Add("struct");
            }
            else if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint))
            {
                parts.Add("class");
            }

            parts.AddRange(argument.GetGenericParameterConstraints().Where(c => c != typeof(ValueType)).Select(c => Format(c, null)).Order(StringComparer.Ordinal));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                text.Append(" where ").Append(argument.Name).Append(" : ").AppendJoin(", ", parts);
            }
        }

        return text.ToString();
    }

    private static bool HasAttribute(MemberInfo member, string fullName) =>
        member.CustomAttributes.Any(a => a.AttributeType.FullName == fullName);

    private static bool HasAttribute(ParameterInfo parameter, string fullName) =>
        parameter.CustomAttributes.Any(a => a.AttributeType.FullName == fullName);

    private static Type[] OwnGenericArguments(Type type)
    {
        var all = type.GetGenericArguments();
        var outer = type.DeclaringType?.GetGenericArguments().Length ?? 0;
        return all[outer..];
    }

    private static string TypeDisplayName(Type type, bool withNamespace = true, bool withArguments = true)
    {
        var name = StripArity(type.Name);
        if (withArguments)
        {
            var own = OwnGenericArguments(type);
            if (own.Length > 0)
            {
                name += "<" + string.Join(", ", own.Select(a => a.Name)) + ">";
            }
        }

        if (type.IsNested && withNamespace)
        {
            return TypeDisplayName(type.DeclaringType!) + "." + name;
        }

        return withNamespace && !string.IsNullOrEmpty(type.Namespace) ? type.Namespace + "." + name : name;
    }

    private static string StripArity(string name)
    {
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    private static string Format(Type type, NullabilityInfo? info) => Format(type, info, info?.ReadState ?? NullabilityState.Unknown);

    private static string Format(Type type, NullabilityInfo? info, NullabilityState state)
    {
        if (type.IsByRef || type.IsPointer)
        {
            var element = Format(type.GetElementType()!, info, state);
            return type.IsPointer ? element + "*" : element;
        }

        var nullable = state == NullabilityState.Nullable && !type.IsValueType ? "?" : string.Empty;
        if (type.IsArray)
        {
            var rank = type.GetArrayRank();
            return Format(type.GetElementType()!, info?.ElementType) + "[" + new string(',', rank - 1) + "]" + nullable;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Format(underlying, null) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name + nullable;
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword + nullable;
        }

        if (!type.IsGenericType)
        {
            return TypeDisplayName(type) + nullable;
        }

        var arguments = type.GetGenericArguments();
        var formatted = arguments.Select((a, i) => Format(a, info is { } n && i < n.GenericTypeArguments.Length ? n.GenericTypeArguments[i] : null)).ToArray();
        if (type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
        {
            return "(" + string.Join(", ", formatted) + ")" + nullable;
        }

        // Distribute the arguments over the declaring chain: Outer<A>.Inner<B>.
        var chain = new List<Type>();
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            chain.Insert(0, t);
        }

        var used = 0;
        var parts = new List<string>();
        foreach (var level in chain)
        {
            var count = (level.IsGenericType ? level.GetGenericTypeDefinition().GetGenericArguments().Length : 0) - used;
            var part = StripArity(level.Name);
            if (count > 0)
            {
                part += "<" + string.Join(", ", formatted.Skip(used).Take(count)) + ">";
                used += count;
            }

            parts.Add(part);
        }

        var ns = string.IsNullOrEmpty(chain[0].Namespace) ? string.Empty : chain[0].Namespace + ".";
        return ns + string.Join(".", parts) + nullable;
    }
}
