<?php
/**
 * The export as a download (Art. 15 and 20 GDPR): written by the extension to a temporary file, streamed,
 * deleted. The extension records it in the request log with the day the request arrived.
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
    $path = tempnam(sys_get_temp_dir(), 'dsgvo-export-');
    if ($path === false) {
        throw new \RuntimeException('no temporary file in ' . sys_get_temp_dir());
    }
    try {
        try {
            $app->store()->exportTo($id, $path, 'zip', ['overwrite' => true, 'received_at' => $receivedAt]);
        } catch (\Dsgvo\InvalidInputException $e) {
            return customer_view($app, $id, ['error' => $e->getMessage(), 'status' => 400]);
        }
        $size = filesize($path);
        while (ob_get_level() > 0) {
            ob_end_clean();
        }
        header('Content-Type: application/zip');
        header('Content-Disposition: attachment; filename="dsgvo-export-' . $id . '.zip"');
        if ($size !== false) {
            header('Content-Length: ' . $size);
        }
        readfile($path);
        ob_start();                      // the front controller closes one buffer after a page that answered itself
        return null;
    } finally {
        @unlink($path);
    }
}
