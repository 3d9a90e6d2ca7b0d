<?php
/**
 * The export as a download (Art. 15 and 20 GDPR): written by the extension into a private temporary directory,
 * streamed, deleted (also when the browser goes away mid-download). The extension records it in the request
 * log with the day the request arrived.
 */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_export(App $app): ?View
{
    $id = customer_id(field('id'));
    if ($id === null) {
        return new View('Export', error_box('The customer id must be a positive whole number.', 'Ungültige Eingabe / Invalid input'), 400);
    }
    $receivedAt = received_at(field('received_at'));
    if (!preg_match('/^\d{4}-\d{2}-\d{2}$/', $receivedAt)) {
        return customer_view($app, $id, ['error' => 'The date the request arrived must be a date YYYY-MM-DD.', 'status' => 400]);
    }
    // A directory only this user can enter: the export is the customer's complete data.
    $dir = sys_get_temp_dir() . '/dsgvo-export-' . bin2hex(random_bytes(8));
    if (!@mkdir($dir, 0700)) {
        throw new \RuntimeException('cannot create a private directory in ' . sys_get_temp_dir());
    }
    $path = "$dir/export.zip";
    $cleanup = static function () use ($dir, $path): void {
        @unlink($path);
        @rmdir($dir);
    };
    // A client that disconnects during readfile() must not end the script before the cleanup.
    ignore_user_abort(true);
    register_shutdown_function($cleanup);
    try {
        $manifest = $app->store()->exportTo($id, $path, 'zip', ['received_at' => $receivedAt]);
    } catch (\Dsgvo\InvalidInputException $e) {
        $cleanup();
        return customer_view($app, $id, ['error' => $e->getMessage(), 'status' => 400]);
    }
    if ($manifest['errors'] !== []) {
        // An incomplete answer is no answer: say which tables failed instead of handing it out.
        $cleanup();
        return customer_view($app, $id, ['error' => 'Export incomplete, not downloaded: ' . implode('; ', array_map(
            fn ($table, $error) => "$table: $error", array_keys($manifest['errors']), $manifest['errors'])), 'status' => 500]);
    }
    while (ob_get_level() > 0) {
        ob_end_clean();
    }
    header('Content-Type: application/zip');
    header('Content-Disposition: attachment; filename="dsgvo-export-' . $id . '.zip"');
    header('Content-Length: ' . $manifest['bytes']);
    readfile($path);
    $cleanup();
    ob_start();                      // the front controller closes one buffer after a page that answered itself
    return null;
}
