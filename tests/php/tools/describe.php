<?php
// Describes the public API of the dsgvo extension as JSON: classes (parent, interfaces, flags, constants,
// own methods with parameters, types and defaults) and functions.
//   php -n tests/php/tools/describe.php stubs php-stubs/dsgvo.php   -> from the stub file (extension NOT loaded)
//   describe_extension() when included from a process that has the extension loaded.
declare(strict_types=1);

/** @return array<string, mixed> */
function describe_function(ReflectionFunctionAbstract $f): array
{
    $params = [];
    foreach ($f->getParameters() as $p) {
        $params[] = [
            'name' => $p->getName(),
            'type' => $p->hasType() ? (string) $p->getType() : null,
            'optional' => $p->isOptional(),
            'default' => $p->isDefaultValueAvailable() ? var_export($p->getDefaultValue(), true) : null,
            'variadic' => $p->isVariadic(),
            'by_ref' => $p->isPassedByReference(),
        ];
    }
    $out = [
        'params' => $params,
        'return' => $f->hasReturnType() ? (string) $f->getReturnType() : null,
    ];
    if ($f instanceof ReflectionMethod) {
        $out['static'] = $f->isStatic();
        $out['visibility'] = $f->isPublic() ? 'public' : ($f->isProtected() ? 'protected' : 'private');
        $out['final'] = $f->isFinal();
        $out['abstract'] = $f->isAbstract();
    }
    return $out;
}

/**
 * @param list<string> $classes
 * @param list<string> $functions
 * @return array<string, mixed>
 */
function describe_api(array $classes, array $functions): array
{
    $out = ['classes' => [], 'functions' => []];
    sort($classes);
    foreach ($classes as $name) {
        $c = new ReflectionClass($name);
        $methods = [];
        foreach ($c->getMethods() as $m) {
            if ($m->getDeclaringClass()->getName() === $c->getName()) {
                $methods[$m->getName()] = describe_function($m);
            }
        }
        ksort($methods);
        $constants = [];
        foreach ($c->getReflectionConstants() as $k) {
            if ($k->getDeclaringClass()->getName() === $c->getName()) {
                $constants[$k->getName()] = var_export($k->getValue(), true);
            }
        }
        ksort($constants);
        $properties = [];
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() === $c->getName()) {
                $properties[$p->getName()] = [
                    'type' => $p->hasType() ? (string) $p->getType() : null,
                    'readonly' => method_exists($p, 'isReadOnly') && $p->isReadOnly(),
                    'static' => $p->isStatic(),
                ];
            }
        }
        ksort($properties);
        $interfaces = $c->getInterfaceNames();
        sort($interfaces);
        $out['classes'][$c->getName()] = [
            'parent' => $c->getParentClass() ? $c->getParentClass()->getName() : null,
            'interfaces' => $interfaces,
            'final' => $c->isFinal(),
            'abstract' => $c->isAbstract(),
            'interface' => $c->isInterface(),
            'constants' => $constants,
            'properties' => $properties,
            'methods' => $methods,
        ];
    }
    sort($functions);
    foreach ($functions as $name) {
        $out['functions'][$name] = describe_function(new ReflectionFunction($name));
    }
    return $out;
}

/** @return array<string, mixed> */
function describe_extension(): array
{
    $ext = new ReflectionExtension('dsgvo');
    return describe_api(array_values($ext->getClassNames()), array_keys($ext->getFunctions()));
}

/** @return array<string, mixed> */
function describe_stubs(string $file): array
{
    $classesBefore = get_declared_classes();
    $functionsBefore = get_defined_functions()['user'];
    require $file;
    $classes = array_values(array_diff(get_declared_classes(), $classesBefore));
    $functions = array_values(array_diff(get_defined_functions()['user'], $functionsBefore));
    $functions = array_map(function (string $f): string {
        return (new ReflectionFunction($f))->getName();
    }, $functions);
    return describe_api($classes, $functions);
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__ && ($argv[1] ?? '') === 'stubs') {
    if (extension_loaded('dsgvo')) {
        fwrite(STDERR, "run with php -n: the stubs cannot be loaded beside the extension\n");
        exit(2);
    }
    echo json_encode(describe_stubs($argv[2]), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
}
