<?php
/** The built-in login form (config 'login' => 'password') and signing out. */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_login(App $app): ?View
{
    $error = null;
    $status = 200;
    if (is_post()) {
        // Guessing is limited per client address and per account, answered at once: no sleep() holding
        // a PHP worker, so guesses cannot starve the pool that also serves the shop.
        $throttle = new LoginThrottle($app->loginAttemptsDir);
        $address = client_address($app->trustedProxies);
        $account = PasswordLogin::ACCOUNT;
        $wait = $throttle->lockedFor($address, $account);
        if ($wait > 0) {
            log_login('sign-in refused: locked out', $account, $address);
            header('Retry-After: ' . $wait);
            $minutes = (int) ceil($wait / 60);
            $error = "Zu viele Fehlversuche: Anmeldung für $minutes Minuten gesperrt. / Too many failed sign-ins: "
                . "locked for $minutes minutes.";
            $status = 429;
        } elseif (PasswordLogin::attempt(field('password'))) {
            $throttle->succeeded($address, $account);
            log_login('signed in', $account, $address);
            redirect(url('search'));
            return null;
        } else {
            $locked = $throttle->failed($address, $account);
            log_login($locked > 0 ? 'wrong password; locked out for ' . $locked . ' s' : 'wrong password', $account, $address);
            if ($locked > 0) {
                header('Retry-After: ' . $locked);
                $error = 'Falsches Passwort. Zu viele Fehlversuche: Anmeldung gesperrt. / Wrong password. Too many '
                    . 'failed sign-ins: locked for ' . (int) ceil($locked / 60) . ' minutes.';
                $status = 429;
            } else {
                $error = 'Falsches Passwort. / Wrong password.';
                $status = 403;
            }
        }
    } elseif ($app->admin !== null) {
        redirect(url('search'));
        return null;
    }
    $body = capture(function () use ($error): void {
        ?>
<section class="card narrow">
  <h1>Anmelden <span class="en">Sign in</span></h1>
<?php if ($error !== null): ?>
  <div class="box box-error" role="alert" id="login-error"><?= e($error) ?></div>
<?php endif; ?>
  <form method="post" action="<?= e(url('login')) ?>" class="stack">
    <?= csrf_field() ?>
    <label for="password">Passwort <span class="en">Password</span></label>
    <input type="password" id="password" name="password" required autocomplete="current-password" autofocus>
    <button type="submit" id="login-submit">Anmelden / Sign in</button>
  </form>
</section>
<?php
    });
    return new View('Anmelden / Sign in', $body, $status);
}

function page_logout(App $app): ?View
{
    if ($app->login === 'password') {
        PasswordLogin::logout();
        redirect(url('login'));
        return null;
    }
    return new View('Abmelden / Sign out', notice_box('<p>Sign out in the shop administration.</p>'));
}
